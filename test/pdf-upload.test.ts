// Streaming a PDF into R2: single put below one part, multipart above it, a size cap that stores nothing.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../src/security/crypto";
import { PART_BYTES, TooLarge, uploadPdf } from "../src/storage/pdf-upload";

/** A PDF-shaped byte stream of about `size` bytes, in `chunk`-byte chunks, with a page tree counting `pages`. */
function fakePdf(size: number, pages: number, chunk = 64 * 1024): { stream: ReadableStream<Uint8Array>; bytes: Uint8Array } {
	const head = new TextEncoder().encode(`%PDF-1.4\n1 0 obj\n<</Type /Pages\n/Count ${pages}\n/Kids [2 0 R]>>\nendobj\n`);
	const bytes = new Uint8Array(size);
	bytes.set(head);
	for (let i = head.byteLength; i < size; i++) bytes[i] = (i * 31) % 251;
	let at = 0;
	const stream = new ReadableStream<Uint8Array>({
		pull(controller) {
			if (at >= size) return controller.close();
			controller.enqueue(bytes.slice(at, at + chunk));
			at += chunk;
		},
	});
	return { stream, bytes };
}

const options = { httpMetadata: { contentType: "application/pdf" }, customMetadata: { jobId: "t" } };

describe("uploadPdf", () => {
	it("stores a small PDF with one put, its sha256 and page count in the metadata", async () => {
		const { stream, bytes } = fakePdf(300_000, 12);
		const result = await uploadPdf(env.DOCUMENTS, "test/small.pdf", stream, options, 10_000_000);
		expect(result).toMatchObject({ sizeBytes: 300_000, pages: 12, sha256: await sha256Hex(bytes) });
		const head = await env.DOCUMENTS.head("test/small.pdf");
		expect(head?.size).toBe(300_000);
		expect(head?.httpMetadata?.contentType).toBe("application/pdf");
		expect(head?.customMetadata).toMatchObject({ jobId: "t", pages: "12", sha256: result.sha256 });
	});

	it("streams a PDF larger than one part as a multipart upload, byte for byte", async () => {
		const size = PART_BYTES * 2 + 12_345;
		const { stream, bytes } = fakePdf(size, 700);
		const result = await uploadPdf(env.DOCUMENTS, "test/large.pdf", stream, options, 100_000_000);
		expect(result).toMatchObject({ sizeBytes: size, pages: 700 });
		const stored = await env.DOCUMENTS.get("test/large.pdf");
		const copy = new Uint8Array(await stored!.arrayBuffer());
		expect(copy.byteLength).toBe(size);
		expect(await sha256Hex(copy)).toBe(await sha256Hex(bytes));
		expect(result.sha256).toBe(await sha256Hex(bytes));
	});

	it("refuses a PDF over the cap and leaves nothing stored", async () => {
		const { stream } = fakePdf(PART_BYTES + 1000, 3);
		await expect(uploadPdf(env.DOCUMENTS, "test/too-big.pdf", stream, options, PART_BYTES)).rejects.toBeInstanceOf(TooLarge);
		expect(await env.DOCUMENTS.head("test/too-big.pdf")).toBeNull();
	});
});
