// Worker side: runs inside workerd, imported by the tests.
// Small PDFs written by hand, byte for byte, with xref offsets that are right: what the PDF reader
// (src/pdf/) is tested on besides Chrome's and pdf-lib's own output.

/** One byte per character (the test PDFs' text is Latin-1). */
export const bytesOf = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** The bytes as Latin-1 text. */
export const textOf = (bytes: Uint8Array): string => Array.from(bytes, (b) => String.fromCharCode(b)).join("");

/** An object's body: what stands between `n 0 obj` and `endobj` (text, or text and raw stream data). */
export type Body = string | (string | Uint8Array)[];

function concat(parts: (string | Uint8Array)[]): Uint8Array {
	const chunks = parts.map((part) => (typeof part === "string" ? bytesOf(part) : part));
	const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
	let at = 0;
	for (const chunk of chunks) {
		out.set(chunk, at);
		at += chunk.byteLength;
	}
	return out;
}

/** Each xref entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, CR LF. */
const entry = (offset: number, type = "n") => `${String(offset).padStart(10, "0")} ${type === "f" ? "65535" : "00000"} ${type}\r\n`;

/** Writes `objects` after `base` (the bytes before them), recording where each starts. */
function writeObjects(base: number, objects: Record<number, Body>): { parts: (string | Uint8Array)[]; offsets: Map<number, number> } {
	const parts: (string | Uint8Array)[] = [];
	const offsets = new Map<number, number>();
	let at = base;
	for (const [num, body] of Object.entries(objects)) {
		const bytes = concat([`${num} 0 obj\n`, ...(typeof body === "string" ? [body] : body), "\nendobj\n"]);
		offsets.set(Number(num), at);
		parts.push(bytes);
		at += bytes.byteLength;
	}
	return { parts, offsets };
}

/** A PDF with a classic xref table listing `objects`, and a trailer with `trailer`'s entries (and /Size). */
export function classicPdf(objects: Record<number, Body>, trailer: string, header = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"): Uint8Array {
	const { parts, offsets } = writeObjects(header.length, objects);
	const size = Math.max(0, ...offsets.keys()) + 1;
	const xrefAt = header.length + concat(parts).byteLength;
	let xref = `xref\n0 ${size}\n${entry(0, "f")}`;
	for (let num = 1; num < size; num++) xref += offsets.has(num) ? entry(offsets.get(num) ?? 0) : entry(0, "f");
	return concat([header, ...parts, xref, `trailer\n<</Size ${size} ${trailer}>>\nstartxref\n${xrefAt}\n%%EOF\n`]);
}

/** The offset the last `startxref` of `pdf` names. */
export function startxrefOf(pdf: Uint8Array): number {
	return Number(textOf(pdf).match(/startxref\s+(\d+)\s+%%EOF\s*$/)?.[1]);
}

/** `pdf` with an incremental update appended: `objects` (re)defined, a new xref section and trailer with /Prev. */
export function incrementalUpdate(pdf: Uint8Array, objects: Record<number, Body>, trailer: string): Uint8Array {
	const { parts, offsets } = writeObjects(pdf.byteLength, objects);
	const xrefAt = pdf.byteLength + concat(parts).byteLength;
	let xref = "xref\n";
	for (const [num, offset] of offsets) xref += `${num} 1\n${entry(offset)}`;
	const size = Math.max(...offsets.keys()) + 1;
	return concat([pdf, ...parts, xref, `trailer\n<</Size ${size} ${trailer} /Prev ${startxrefOf(pdf)}>>\nstartxref\n${xrefAt}\n%%EOF\n`]);
}
