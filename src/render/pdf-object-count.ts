// How many objects a PDF declares, read from its last cross-reference section without parsing the
// file: pdf-lib's load is what allocates, so a part's object count must be known before it runs.
// Kept to this one function so it can move onto a general PDF object reader unchanged.

/** Bytes `from`..`to` as Latin-1 text (PDF syntax is bytes; only a few KiB are ever decoded). */
function text(bytes: Uint8Array, from: number, to: number): string {
	return String.fromCharCode(...bytes.subarray(Math.max(0, from), Math.min(bytes.length, to)));
}

/** A classic xref table ends at its `trailer`: skip each subsection's 20-byte entries to reach it. */
function trailerAfterTable(bytes: Uint8Array, at: number): string | null {
	let pos = at + "xref".length;
	// Chrome writes one subsection; bounded in case a file has many.
	for (let i = 0; i < 10_000 && pos < bytes.length; i++) {
		const window = text(bytes, pos, pos + 64);
		const header = /^\s*(\d+)\s+(\d+)[ \t]*\r?\n?/.exec(window);
		if (!header) return /^\s*trailer/.test(window) ? text(bytes, pos, pos + 4096) : null;
		pos += header[0].length + Number(header[2]) * 20;
	}
	return null;
}

/**
 * The trailer's /Size (the highest object number plus one) of the last cross-reference section,
 * found from `startxref` in the file's tail: a classic table's trailer, or a cross-reference
 * stream's dictionary. Null when the file has no readable trailer.
 */
export function declaredObjectCount(bytes: Uint8Array): number | null {
	const tail = text(bytes, bytes.length - 1024, bytes.length);
	const pointer = /startxref\s+(\d+)\s+%%EOF/.exec(tail.slice(tail.lastIndexOf("startxref")));
	const at = Number(pointer?.[1] ?? Number.NaN);
	if (!Number.isSafeInteger(at) || at >= bytes.length) return null;
	const section = text(bytes, at, at + 64);
	const dictionary = section.startsWith("xref")
		? trailerAfterTable(bytes, at)
		: /^\d+\s+\d+\s+obj\b/.test(section)
			? (text(bytes, at, at + 4096).split("stream")[0] ?? null)
			: null;
	const size = dictionary === null ? null : /\/Size\s+(\d+)/.exec(dictionary);
	return size ? Number(size[1]) : null;
}
