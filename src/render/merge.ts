// Merged parts: each part is printed with its own options, one after another, into memory, and
// pdf-lib copies their pages in order into one PDF. Unlike a single PDF this cannot stream: pdf-lib
// needs every part whole. The parts may add up to MAX_MERGE_BYTES; the peak is then about three
// times that (the parts' bytes, pdf-lib's object graph over them, the saved output), which keeps
// a merge well inside the Worker's 128 MB. Past the limit the job fails CONTENT_TOO_LARGE.
import type { Page } from "@cloudflare/puppeteer";
import { PDFDocument } from "pdf-lib";
import type { PartRecord } from "../jobs/record";
import { PartFailure, RenderFailure } from "./errors";
import { documentTitle } from "./pdf-metadata";
import { capturePreview } from "./preview";
import { printPdf, type PrintInput } from "./print";
import { readSource, type Production } from "./production";

export const MAX_MERGE_BYTES = 25 * 1024 * 1024;

/** Reads a part's PDF stream into memory, refusing it once the parts so far pass `room` bytes. */
export async function collectPart(pdf: ReadableStream<Uint8Array>, room: number, index: number): Promise<Uint8Array> {
	const chunks: Uint8Array[] = [];
	let size = 0;
	for await (const chunk of pdf) {
		size += chunk.byteLength;
		if (size > room) {
			await pdf.cancel().catch(() => undefined);
			throw new RenderFailure("CONTENT_TOO_LARGE", `parts[${index}]: the parts add up to more than ${MAX_MERGE_BYTES} bytes, the merge limit`, false);
		}
		chunks.push(chunk);
	}
	const bytes = new Uint8Array(size);
	let at = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, at);
		at += chunk.byteLength;
	}
	return bytes;
}

/** The part's options over the request's own `pdf` and `page`. */
function partInput(p: Production, part: PartRecord, html: string | null): PrintInput {
	const { metadata, ...pdf } = p.job.pdf;
	return { url: part.url, html, pdf: { ...pdf, ...part.pdf }, page: { ...p.job.page, ...part.page } };
}

async function printPart(
	p: Production,
	part: PartRecord,
	index: number,
	room: number,
	onPage: (page: Page, input: PrintInput) => Promise<void>,
): Promise<Uint8Array> {
	try {
		const html = part.sourceKey ? await readSource(p.env, part.sourceKey) : null;
		const input = partInput(p, part, html);
		return await printPdf(
			p.browser,
			input,
			p.policy,
			(pdf) => collectPart(pdf, room, index),
			(page) => onPage(page, input),
		);
	} catch (err) {
		// Classified with the attempt's other failures (run-job.ts), the part's index in front.
		throw new PartFailure(index, err);
	}
}

async function appendPages(merged: PDFDocument, bytes: Uint8Array, index: number): Promise<void> {
	try {
		const part = await PDFDocument.load(bytes, { updateMetadata: false });
		for (const page of await merged.copyPages(part, part.getPageIndices())) merged.addPage(page);
	} catch (err) {
		throw new RenderFailure("INTERNAL", `parts[${index}]: the part's PDF could not be merged: ${err instanceof Error ? err.message : String(err)}`, false);
	}
}

export interface Merged {
	pdf: Uint8Array;
	/** The first part's first-page thumbnail, when the job asked for a preview. */
	preview: Uint8Array | null;
}

/** Prints every part in order and returns the merged PDF, its metadata set as for a single PDF. */
export async function mergeParts(p: Production): Promise<Merged> {
	const merged = await PDFDocument.create();
	const parts = p.job.parts ?? [];
	let used = 0;
	let firstTitle = "";
	let preview: Uint8Array | null = null;
	for (const [index, part] of parts.entries()) {
		// The merged document's first page is the first part's: its title and preview stand for the whole.
		const onPage = async (page: Page, input: PrintInput) => {
			if (index !== 0) return;
			firstTitle = await page.title();
			if (p.job.preview) preview = await capturePreview(page, input.pdf, input.page, p.job.preview);
		};
		const bytes = await printPart(p, part, index, MAX_MERGE_BYTES - used, onPage);
		used += bytes.byteLength;
		await appendPages(merged, bytes, index);
	}
	const metadata = p.job.pdf.metadata;
	merged.setTitle(documentTitle(metadata, firstTitle, p.job.filename), { showInWindowTitleBar: true });
	if (metadata?.author) merged.setAuthor(metadata.author);
	if (metadata?.subject) merged.setSubject(metadata.subject);
	if (metadata?.keywords?.length) merged.setKeywords(metadata.keywords);
	if (metadata?.language) merged.setLanguage(metadata.language);
	merged.setCreator(metadata?.creator ?? "edge-pdf");
	merged.setProducer("edge-pdf (pdf-lib)");
	// No object streams: the page tree stays readable to the upload's page counter.
	return { pdf: await merged.save({ useObjectStreams: false }), preview };
}
