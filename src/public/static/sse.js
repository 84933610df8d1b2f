// A Server-Sent Events reader over a fetch() body, shared by the playground (browser), the demo
// (Node) and the tests. EventSource cannot send an Authorization header, so the stream is read by hand.

/**
 * Yields { id, event, data } for each complete frame of a text/event-stream body; comment lines
 * (": keep-alive") go to onComment.
 * @param {ReadableStream<Uint8Array>} body
 * @param {(comment: string) => void} [onComment]
 */
export async function* sseEvents(body, onComment = () => {}) {
	const reader = body.pipeThrough(new TextDecoderStream()).getReader();
	let buffer = "";
	try {
		for (;;) {
			const { value, done } = await reader.read();
			if (done) return;
			buffer += value.replace(/\r\n?/g, "\n");
			for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
				const frame = parseFrame(buffer.slice(0, end), onComment);
				buffer = buffer.slice(end + 2);
				if (frame.data) yield frame;
			}
		}
	} finally {
		reader.releaseLock();
	}
}

function parseFrame(block, onComment) {
	const frame = { id: null, event: "message", data: "" };
	for (const line of block.split("\n")) {
		const colon = line.indexOf(":");
		if (colon === 0) {
			onComment(line.slice(1).trim());
			continue;
		}
		const field = colon < 0 ? line : line.slice(0, colon);
		const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
		if (field === "data") frame.data += (frame.data ? "\n" : "") + value;
		else if (field === "id" || field === "event") frame[field] = value;
	}
	return frame;
}
