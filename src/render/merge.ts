// Merged parts: each part is printed with its own options, one after another, into memory, and
// src/merge/ copies them in order into one PDF, with their structure trees, outlines and named
// destinations. Unlike a single PDF this cannot stream: pdf-lib needs every part whole, and its
// object graph is many times a part's size. So the parts are bounded by the whole-PDF budget
// (bytes and objects, ./pdf-memory.ts), and the merge itself (load, copy, save, store) takes the
// isolate's whole-PDF turn: one at a time. Past a limit the job fails CONTENT_TOO_LARGE naming the
// part and the limit.
import type { Page } from "@cloudflare/puppeteer";
import type { PDFDocument } from "pdf-lib";
import { DocumentMerge } from "../merge/document-merge";
import type { PartRecord } from "../jobs/record";
import { PartFailure, RenderFailure } from "./errors";
import { collectBytes, countObjects, WHOLE_PDF_MAX_BYTES, WHOLE_PDF_MAX_OBJECTS, withWholePdf } from "./pdf-memory";
import { finishAndSave, finishInput } from "./finishing";
import { capturePreview } from "./preview";
import { printPdf, type PrintInput } from "./print";
import { readSource, type Production } from "./attempt-inputs";

/** Reads a part's PDF stream into memory, refusing it once the parts so far pass `room` bytes. */
export function collectPart(pdf: ReadableStream<Uint8Array>, room: number, index: number): Promise<Uint8Array> {
	return collectBytes(
		pdf,
		room,
		() => new RenderFailure("CONTENT_TOO_LARGE", `parts[${index}]: the parts add up to more than ${WHOLE_PDF_MAX_BYTES} bytes, the merge limit`, false),
	);
}

/** The part's objects (its declared /Size), refused once the parts so far pass `room` objects. */
export function countPart(bytes: Uint8Array, room: number, index: number): number {
	return countObjects(
		bytes,
		room,
		`parts[${index}]: the part's PDF`,
		`parts[${index}]: the parts add up to more than ${WHOLE_PDF_MAX_OBJECTS} PDF objects, the merge limit`,
	);
}

/** The part's options over the request's own `pdf` and `page`; its observations go to the report as part `index`. */
function partInput(p: Production, part: PartRecord, index: number, html: string | null): PrintInput {
	const { metadata, ...pdf } = p.job.pdf;
	return { url: part.url, html, pdf: { ...pdf, ...part.pdf }, page: { ...p.job.page, ...part.page }, observe: p.report.sink(index), fonts: p.fonts };
}

/** What the parts hold so far, against the whole-PDF budget. */
interface Used {
	bytes: number;
	objects: number;
}

async function printPart(
	p: Production,
	part: PartRecord,
	index: number,
	used: Used,
	onPage: (page: Page, input: PrintInput) => Promise<void>,
): Promise<Uint8Array> {
	try {
		const html = part.sourceKey ? await readSource(p.env, part.sourceKey) : null;
		const input = partInput(p, part, index, html);
		const bytes = await printPdf(
			p.browser,
			input,
			p.policy,
			(pdf) => collectPart(pdf, WHOLE_PDF_MAX_BYTES - used.bytes, index),
			(page) => onPage(page, input),
		);
		used.objects += countPart(bytes, WHOLE_PDF_MAX_OBJECTS - used.objects, index);
		used.bytes += bytes.byteLength;
		return bytes;
	} catch (err) {
		// Classified with the attempt's other failures (run-job.ts), the part's index in front.
		throw new PartFailure(index, err);
	}
}

async function appendPart(merge: DocumentMerge, bytes: Uint8Array, index: number): Promise<void> {
	try {
		await merge.append(bytes);
	} catch (err) {
		throw new RenderFailure("INTERNAL", `parts[${index}]: the part's PDF could not be merged: ${err instanceof Error ? err.message : String(err)}`, false);
	}
}

/** The parts as printed, in order, with what the first part's page gave the whole. */
interface Printed {
	parts: Uint8Array[];
	firstTitle: string;
	preview: Uint8Array | null;
}

async function printParts(p: Production): Promise<Printed> {
	const printed: Printed = { parts: [], firstTitle: "", preview: null };
	const used: Used = { bytes: 0, objects: 0 };
	for (const [index, part] of (p.job.parts ?? []).entries()) {
		// The merged document's first page is the first part's: its title and preview stand for the whole.
		const onPage = async (page: Page, input: PrintInput) => {
			if (index !== 0) return;
			printed.firstTitle = await page.title();
			if (p.job.preview) printed.preview = await capturePreview(page, input.pdf, input.page, p.job.preview);
		};
		printed.parts.push(await printPart(p, part, index, used, onPage));
	}
	return printed;
}

/**
 * Merges the printed parts into one document (src/merge/: pages, structure tree, outline, named
 * destinations), each part loaded, copied and let go in turn. Returns it with the first part's /Lang.
 */
async function mergePrinted(printed: Printed): Promise<{ merged: PDFDocument; lang: string | null }> {
	const merge = await DocumentMerge.create();
	for (const [index, bytes] of printed.parts.entries()) {
		// Let go of the part's bytes once copied: only the merged graph and the part being read are held.
		printed.parts[index] = new Uint8Array(0);
		await appendPart(merge, bytes, index);
	}
	return { merged: merge.finish(), lang: merge.lang };
}

export interface Merged<T> {
	/** What `keep` made of the merged PDF (stored, in production). */
	kept: T;
	/** The first part's first-page thumbnail, when the job asked for a preview. */
	preview: Uint8Array | null;
}

/**
 * Prints every part in order, then, in the isolate's whole-PDF turn, merges them, finishes the
 * merged document (finishing.ts: stamps, the document entries) and hands it to `keep`, so that it
 * is stored before the next merge may start. Waits for the turn until the job's deadline at most.
 */
export async function mergeParts<T>(p: Production, keep: (pdf: Uint8Array) => Promise<T>): Promise<Merged<T>> {
	const printed = await printParts(p);
	p.report.finishing();
	const kept = await withWholePdf(p.deadline, async () => {
		const { merged, lang } = await mergePrinted(printed);
		// The first part's language stands for the whole, unless the request names one.
		return keep(await finishAndSave(p, merged, finishInput(p, printed.firstTitle, lang)));
	});
	return { kept, preview: printed.preview };
}
