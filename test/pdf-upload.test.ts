// Streaming a PDF into R2: single put below one part, multipart above it, a size cap that stores nothing.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../src/security/crypto";
import { UnreadablePdf } from "../src/pdf/scanner";
import { PART_BYTES, TooLarge, uploadPdf } from "../src/storage/pdf-upload";
import { classicPdf } from "./support/worker/pdf-build";

/** The bytes as a stream of `chunk`-byte chunks. */
function streamOf(bytes: Uint8Array, chunk = 64 * 1024): ReadableStream<Uint8Array> {
	let at = 0;
	return new ReadableStream<Uint8Array>({
		pull(controller) {
			if (at >= bytes.byteLength) return controller.close();
			controller.enqueue(bytes.slice(at, at + chunk));
			at += chunk;
		},
	});
}

/** A PDF of exactly `size` bytes whose page tree counts `pages`, padded with a stream of binary data. */
function fakePdf(size: number, pages: number, chunk = 64 * 1024): { stream: ReadableStream<Uint8Array>; bytes: Uint8Array } {
	const build = (n: number) => {
		const padding = new Uint8Array(n);
		for (let i = 0; i < n; i++) padding[i] = (i * 31) % 251;
		return classicPdf(
			{
				1: "<</Type /Catalog /Pages 2 0 R>>",
				2: `<</Type /Pages\n/Count ${pages}\n/Kids [3 0 R]>>`,
				3: [`<</Length ${n}>>\nstream\n`, padding, "\nendstream"],
			},
			"/Root 1 0 R",
		);
	};
	// The padding's /Length and the startxref grow by a digit now and then: settle on the exact size.
	let n = size;
	for (let i = 0; i < 4; i++) n += size - build(n).byteLength;
	const bytes = build(n);
	expect(bytes.byteLength).toBe(size);
	return { stream: streamOf(bytes, chunk), bytes };
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

	it("refuses a PDF whose page tree cannot be read and leaves nothing stored, single put or multipart", async () => {
		for (const size of [300_000, PART_BYTES * 2 + 10]) {
			const { bytes } = fakePdf(size, 5);
			// The same bytes without their xref table and trailer: no page tree to be found.
			const cut = bytes.subarray(0, bytes.byteLength - 200);
			const key = `test/unreadable-${size}.pdf`;
			await expect(uploadPdf(env.DOCUMENTS, key, streamOf(cut), options, 100_000_000)).rejects.toBeInstanceOf(UnreadablePdf);
			expect(await env.DOCUMENTS.head(key)).toBeNull();
		}
	});

	it("stores an image without counting pages in it", async () => {
		const image = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 256);
		const result = await uploadPdf(env.DOCUMENTS, "test/image.png", streamOf(image), { customMetadata: { jobId: "t" } }, 10_000_000, false);
		expect(result).toMatchObject({ sizeBytes: 5000, pages: null });
		expect((await env.DOCUMENTS.head("test/image.png"))?.customMetadata).toEqual({ jobId: "t", sha256: result.sha256 });
	});

	it("refuses a PDF over the cap and leaves nothing stored", async () => {
		const { stream } = fakePdf(PART_BYTES + 1000, 3);
		await expect(uploadPdf(env.DOCUMENTS, "test/too-big.pdf", stream, options, PART_BYTES)).rejects.toBeInstanceOf(TooLarge);
		expect(await env.DOCUMENTS.head("test/too-big.pdf")).toBeNull();
	});
});
