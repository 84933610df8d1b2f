// The PDF's document information (Title, Author, Subject, Keywords, Creator) without a second copy of
// the PDF: Chrome's bytes stream through untouched and an incremental update (PDF 32000-1 §7.5.6) is
// appended after them: a new Info dictionary object, an xref section naming only it, and a trailer
// whose /Prev points at Chrome's own xref. Readers take the newest trailer, so its /Info wins.
// Only the first and last few KiB are kept to learn what the update needs (Chrome's /Root, /Size, the
// previous startxref, its Producer and CreationDate); memory stays flat however long the document.
// Both are read with the PDF object parser (src/pdf/): Chrome's Info dictionary holds the page's
// <title> as a string, which must never be taken for the dictionary's own entries.
import { parseObjectAt, parseValueAt } from "../pdf/objects";
import { isCount, isDict, isRef, PdfString, type PdfRef, type PdfValue, textOf } from "../pdf/values";
import type { PdfMetadata } from "../schemas/outputs";

/** Skia writes the Info dictionary as object 1, at the very start; its trailer sits in the last bytes. */
const EDGE_BYTES = 4096;

export interface InfoFields {
	title: string;
	author?: string;
	subject?: string;
	keywords?: string[];
	creator?: string;
}

interface Trailer {
	size: number;
	root: string;
	/** The previous /Info, whose Producer and CreationDate are carried over. */
	info: PdfRef | null;
	id: string | null;
	startxref: number;
}

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

const hexOf = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join("");

/** The trailer's /ID written back: an array of two strings, as hex. */
function idOf(value: PdfValue | undefined): string | null {
	if (!Array.isArray(value) || value.length !== 2 || !value.every((part) => part instanceof PdfString)) return null;
	return `[${value.map((part) => `<${hexOf(part.bytes)}>`).join(" ")}]`;
}

/** The last trailer and startxref of a PDF with a classic xref table (what Chrome writes); null otherwise. */
export function parseTrailer(tail: string): Trailer | null {
	// Everything after the last `trailer` keyword is the producer's own: no page text comes after it.
	const at = tail.lastIndexOf("trailer");
	const xref = tail.match(/startxref\s+(\d+)\s+%%EOF\s*$/);
	if (at < 0 || !xref) return null;
	let dict: PdfValue;
	try {
		dict = parseValueAt(latin1(tail), at + "trailer".length);
	} catch {
		return null;
	}
	if (!isDict(dict)) return null;
	const size = dict.get("Size");
	const root = dict.get("Root");
	const info = dict.get("Info");
	if (!isCount(size) || !isRef(root)) return null;
	return { size, root: `${root.num} ${root.gen} R`, info: isRef(info) ? info : null, id: idOf(dict.get("ID")), startxref: Number(xref[1]) };
}

/** A PDF text string as UTF-16BE hex with a byte-order mark: any character, no escaping rules to get wrong. */
export function pdfText(value: string): string {
	let hex = "FEFF";
	for (let i = 0; i < value.length; i++) hex += value.charCodeAt(i).toString(16).padStart(4, "0").toUpperCase();
	return `<${hex}>`;
}

/** D:YYYYMMDDHHmmSSZ */
export function pdfDate(at: Date): string {
	return `(D:${at.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z)`;
}

/** A date string as Chrome writes it, (D:YYYYMMDDHHmmSS+HH'mm'); anything else is not carried over. */
const DATE = /^D:\d{4}[\dZ+\-']*$/;

/** Producer and CreationDate from Chrome's own Info dictionary, when it is the first object, whole in `head`. */
function chromeInfo(head: string, info: PdfRef | null): { producer: string | null; created: string | null } {
	const none = { producer: null, created: null };
	if (!info) return none;
	let object: ReturnType<typeof parseObjectAt>;
	try {
		// Skia writes the Info dictionary first, right after the header's comment lines.
		object = parseObjectAt(latin1(head), 0);
	} catch {
		return none; // cut by the head's end (a very long <title>): the defaults stand
	}
	if (object.num !== info.num || object.gen !== info.gen || !isDict(object.value)) return none;
	const producer = object.value.get("Producer");
	const created = object.value.get("CreationDate");
	const date = created instanceof PdfString ? textOf(created) : "";
	return { producer: producer instanceof PdfString ? textOf(producer) : null, created: DATE.test(date) ? `(${date})` : null };
}

/** The bytes appended after a PDF of `offset` bytes whose head and tail are given. */
export function infoUpdate(head: string, tail: string, offset: number, fields: InfoFields, now = new Date()): string | null {
	const trailer = parseTrailer(tail);
	if (!trailer) return null;
	const chrome = chromeInfo(head, trailer.info);
	const entries = [
		`/Title ${pdfText(fields.title)}`,
		fields.author !== undefined ? `/Author ${pdfText(fields.author)}` : "",
		fields.subject !== undefined ? `/Subject ${pdfText(fields.subject)}` : "",
		fields.keywords?.length ? `/Keywords ${pdfText(fields.keywords.join(", "))}` : "",
		`/Creator ${pdfText(fields.creator ?? "edge-pdf")}`,
		`/Producer ${pdfText(chrome.producer ?? "Chromium")}`,
		`/CreationDate ${chrome.created ?? pdfDate(now)}`,
		`/ModDate ${pdfDate(now)}`,
	].filter(Boolean);
	const number = trailer.size;
	// The object starts after a newline, in case Chrome's %%EOF line had none.
	const object = `\n${number} 0 obj\n<<${entries.join("\n")}>>\nendobj\n`;
	const xrefAt = offset + object.length;
	// Each xref entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, CR LF.
	const entry = `${String(offset + 1).padStart(10, "0")} 00000 n\r\n`;
	const id = trailer.id ? `\n/ID ${trailer.id}` : "";
	return `${object}xref\n${number} 1\n${entry}trailer\n<</Size ${number + 1}\n/Root ${trailer.root}\n/Info ${number} 0 R\n/Prev ${trailer.startxref}${id}>>\nstartxref\n${xrefAt}\n%%EOF\n`;
}

const latin1Text = (bytes: Uint8Array) => new TextDecoder("latin1").decode(bytes);

/** Keeps the first and the last EDGE_BYTES of a byte stream as latin1 text (one char per byte). */
class Edges {
	head = "";
	tail = "";
	bytes = 0;

	feed(chunk: Uint8Array): void {
		// Only the bytes that can still be an edge are decoded, however large the chunk.
		if (this.head.length < EDGE_BYTES) this.head += latin1Text(chunk.subarray(0, EDGE_BYTES - this.head.length));
		this.tail = (this.tail + latin1Text(chunk.subarray(-EDGE_BYTES))).slice(-EDGE_BYTES);
		this.bytes += chunk.byteLength;
	}
}

/**
 * `pdf` as it streams, followed by the incremental update that sets `fields`. A PDF whose trailer
 * cannot be read (not Chrome's classic xref) passes through unchanged and `onSkipped` is told.
 */
export function withInfo(pdf: ReadableStream<Uint8Array>, fields: InfoFields, onSkipped: () => void = () => undefined): ReadableStream<Uint8Array> {
	const edges = new Edges();
	const transform = new TransformStream<Uint8Array, Uint8Array>({
		transform(chunk, controller) {
			edges.feed(chunk);
			controller.enqueue(chunk);
		},
		flush(controller) {
			const update = infoUpdate(edges.head, edges.tail, edges.bytes, fields);
			if (update === null) onSkipped();
			else controller.enqueue(latin1(update));
		},
	});
	return pdf.pipeThrough(transform);
}

/** Title: the request's, else the document's <title>, else the filename without .pdf; never about:blank or a URL. */
export function documentTitle(metadata: PdfMetadata | undefined, pageTitle: string, filename: string): string {
	if (metadata?.title) return metadata.title;
	const own = pageTitle.trim();
	if (own !== "" && own !== "about:blank") return own;
	return filename.replace(/\.pdf$/i, "");
}

/** The Info fields a job's PDF gets. */
export function infoFields(metadata: PdfMetadata | undefined, title: string): InfoFields {
	return { title, author: metadata?.author, subject: metadata?.subject, keywords: metadata?.keywords, creator: metadata?.creator };
}
