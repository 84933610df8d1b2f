// Streams a PDF from the browser into R2 while hashing it and counting its pages, so the document
// is never held twice: chunks are kept once and handed to R2 as a fixed-length stream, and a PDF
// larger than one part goes up as a multipart upload, part by part, with bounded memory.
// The page count is read from the PDF's page tree by src/pdf/ as the chunks pass; a PDF whose page
// tree cannot be read is not stored (UnreadablePdf), rather than stored with a count we made up.
// The same pass reads the facts the render report gives about the PDF (its fonts, its structure).
import { DocumentScan, type FactsResult } from "../pdf/document-scan";
import { hex } from "../security/crypto";

/** R2 multipart parts must be at least 5 MiB (all but the last). */
export const PART_BYTES = 8 * 1024 * 1024;

export interface UploadedPdf {
	sizeBytes: number;
	sha256: string;
	/** From the page tree; null when the body is not a PDF (an image) and was not counted. */
	pages: number | null;
	/** The PDF's fonts and accessibility facts (or why they could not be read); null for an image. */
	facts: FactsResult | null;
	etag: string;
}

export class TooLarge extends Error {
	constructor(readonly limit: number) {
		super(`the PDF is larger than ${limit} bytes`);
	}
}

function concatStream(chunks: Uint8Array[], size: number): ReadableStream<Uint8Array> {
	const { readable, writable } = new FixedLengthStream(size);
	void (async () => {
		const writer = writable.getWriter();
		for (const chunk of chunks) await writer.write(chunk);
		await writer.close();
	})().catch(() => undefined); // a reader that gave up fails its put, which reports the error
	return readable;
}

/** Accumulated chunks, flushed to R2 as multipart parts once the document outgrows one part. */
class PartBuffer {
	chunks: Uint8Array[] = [];
	bytes = 0;
	private upload: R2MultipartUpload | null = null;
	private readonly parts: R2UploadedPart[] = [];

	constructor(
		private readonly bucket: R2Bucket,
		private readonly key: string,
		private readonly options: R2PutOptions,
	) {}

	async push(chunk: Uint8Array): Promise<void> {
		this.chunks.push(chunk);
		this.bytes += chunk.byteLength;
		if (this.bytes >= PART_BYTES) await this.flushPart();
	}

	private async flushPart(): Promise<void> {
		this.upload ??= await this.bucket.createMultipartUpload(this.key, { httpMetadata: this.options.httpMetadata, customMetadata: this.options.customMetadata });
		this.parts.push(await this.upload.uploadPart(this.parts.length + 1, concatStream(this.chunks, this.bytes)));
		this.chunks = [];
		this.bytes = 0;
	}

	async finish(extraMetadata: Record<string, string>): Promise<string> {
		if (!this.upload) {
			const options = { ...this.options, customMetadata: { ...this.options.customMetadata, ...extraMetadata } };
			return (await this.bucket.put(this.key, concatStream(this.chunks, this.bytes), options)).httpEtag;
		}
		if (this.bytes > 0) await this.flushPart();
		return (await this.upload.complete(this.parts)).httpEtag;
	}

	async abort(): Promise<void> {
		await this.upload?.abort().catch(() => undefined);
	}
}

/**
 * Consumes `stream` into R2 at `key`; throws TooLarge past `maxBytes`, and UnreadablePdf when
 * `countPages` and the page tree cannot be read (either way nothing is left stored).
 */
export async function uploadPdf(
	bucket: R2Bucket,
	key: string,
	stream: ReadableStream<Uint8Array>,
	options: R2PutOptions,
	maxBytes: number,
	countPages = true,
): Promise<UploadedPdf> {
	const digest = new crypto.DigestStream("SHA-256");
	const hashing = digest.getWriter();
	const scan = countPages ? new DocumentScan() : null;
	const parts = new PartBuffer(bucket, key, options);
	let size = 0;
	try {
		for await (const chunk of stream) {
			size += chunk.byteLength;
			if (size > maxBytes) throw new TooLarge(maxBytes);
			await hashing.write(chunk);
			scan?.feed(chunk);
			await parts.push(chunk);
		}
		await hashing.close();
		const sha256 = hex(await digest.digest);
		// Counted before the last put: a PDF without a readable page tree is never stored.
		const pages = scan ? scan.pages() : null;
		const etag = await parts.finish(pages === null ? { sha256 } : { sha256, pages: String(pages) });
		return { sizeBytes: size, sha256, pages, facts: scan ? scan.facts() : null, etag };
	} catch (err) {
		await parts.abort();
		await stream.cancel().catch(() => undefined);
		throw err;
	}
}
