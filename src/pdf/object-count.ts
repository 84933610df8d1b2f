// How many objects a PDF declares, read from its last cross-reference section with the shared
// parser, without reading the rest of the file: pdf-lib's load is what allocates, so a part's object
// count must be known before it runs.
import { parseObjectAt, parseValueAt } from "./objects";
import { isCount, isDict, type PdfValue } from "./values";

const ASCII = new TextDecoder("latin1");

/** The offset `startxref` in the file's last KiB points at, or null. */
function lastXrefOffset(bytes: Uint8Array): number | null {
	const tailStart = Math.max(0, bytes.length - 1024);
	const tail = ASCII.decode(bytes.subarray(tailStart));
	const pointer = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail.slice(tail.lastIndexOf("startxref")));
	const at = Number(pointer?.[1] ?? Number.NaN);
	return Number.isSafeInteger(at) && at < bytes.length ? at : null;
}

/** A classic xref table ends at its `trailer`: skip each subsection's 20-byte entries to reach it. */
function trailerAfterTable(bytes: Uint8Array, at: number): PdfValue {
	let pos = at + "xref".length;
	// Chrome writes one subsection; bounded in case a file has many.
	for (let i = 0; i < 10_000 && pos < bytes.length; i++) {
		const window = ASCII.decode(bytes.subarray(pos, pos + 64));
		const header = /^\s*(\d+)\s+(\d+)[ \t]*\r?\n?/.exec(window);
		if (header) {
			pos += header[0].length + Number(header[2]) * 20;
			continue;
		}
		const trailer = /^\s*trailer/.exec(window);
		return trailer ? parseValueAt(bytes, pos + trailer[0].length) : null;
	}
	return null;
}

/**
 * The trailer's /Size (the highest object number plus one) of the last cross-reference section,
 * found from `startxref` in the file's tail: a classic table's trailer, or a cross-reference
 * stream's dictionary. Null when the file has no readable trailer.
 */
export function declaredObjectCount(bytes: Uint8Array): number | null {
	const at = lastXrefOffset(bytes);
	if (at === null) return null;
	try {
		const isTable = ASCII.decode(bytes.subarray(at, at + 4)) === "xref";
		const dict = isTable ? trailerAfterTable(bytes, at) : parseObjectAt(bytes, at).value;
		const size = isDict(dict) ? dict.get("Size") : undefined;
		return isCount(size) ? size : null;
	} catch {
		return null;
	}
}
