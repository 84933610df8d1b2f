// Worker side: runs inside workerd, imported by the tests.
// Request bodies of a chosen size: valid JSON padded with whitespace (so only its size can refuse
// it), and a stream that counts how much of it the Worker read.

/** `value` as JSON followed by spaces: exactly `bytes` long (ASCII), still valid JSON. */
export function paddedJson(value: unknown, bytes: number): string {
	const json = JSON.stringify(value);
	if (json.length > bytes) throw new Error(`the JSON alone takes ${json.length} bytes, more than ${bytes}`);
	return json + " ".repeat(bytes - json.length);
}

/**
 * `body` sent as a stream of 64 KiB chunks with no Content-Length (chunked), and how many bytes
 * the receiver pulled from it so far.
 */
export function countedStream(body: string): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
	const bytes = new TextEncoder().encode(body);
	const CHUNK = 64 * 1024;
	let offset = 0;
	const stream = new ReadableStream<Uint8Array>(
		{
			pull(controller) {
				if (offset >= bytes.byteLength) return controller.close();
				const end = Math.min(offset + CHUNK, bytes.byteLength);
				controller.enqueue(bytes.slice(offset, end));
				offset = end;
			},
		},
		{ highWaterMark: 0 },
	);
	return { stream, pulled: () => offset };
}

/** A JSON request of `method` with `body` as is (string: with Content-Length; stream: chunked). */
export function jsonRequest(method: string, body: string | ReadableStream<Uint8Array>): RequestInit {
	return { method, headers: { "content-type": "application/json" }, body };
}
