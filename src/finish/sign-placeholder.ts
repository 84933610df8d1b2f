// The byte work of a signature over a saved PDF (pure; no pdf-lib, no crypto). The signing step writes
// the signature dictionary with two placeholders of fixed width: `/ByteRange` as an array of three
// names (`[ 0 /********** /********** /********** ]`) and `/Contents` as a hex string of zeros.
// Once the document is saved, the placeholders are found in its bytes, the byte range (everything but
// the `<…>` of /Contents) written over the first at the same width, and the CMS, hex, over the zeros.
// Nothing moves, so every offset in the cross-reference table stays right.

/** Ten characters: room for byte offsets up to 9,999,999,999. */
export const BYTE_RANGE_NAME = "**********";
/** How pdf-lib writes `/ByteRange [0, /**********, /**********, /**********]`. */
const BYTE_RANGE_TEXT = `[ 0 /${BYTE_RANGE_NAME} /${BYTE_RANGE_NAME} /${BYTE_RANGE_NAME} ]`;
const BYTE_RANGE_KEY = `/ByteRange ${BYTE_RANGE_TEXT}`;
/** /Contents follows /ByteRange in the dictionary (the step inserts them in that order). */
const CONTENTS_KEY = "/Contents <";
const CONTENTS_WINDOW = 64;

const ascii = (text: string) => new TextEncoder().encode(text);

export interface Placeholder {
	/** Where the array `[ 0 /… ]` starts, and its width. */
	byteRangeAt: number;
	byteRangeWidth: number;
	/** The `<` of /Contents, and the offset just past its `>`. */
	contentsStart: number;
	contentsEnd: number;
}

/** [start, length] pairs: the file before /Contents' `<`, and after its `>`. */
export type ByteRange = [number, number, number, number];

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0, to = haystack.length): number {
	const first = needle[0];
	const last = Math.min(to, haystack.length) - needle.length;
	outer: for (let at = haystack.indexOf(first ?? 0, from); at !== -1 && at <= last; at = haystack.indexOf(first ?? 0, at + 1)) {
		for (let k = 1; k < needle.length; k++) if (haystack[at + k] !== needle[k]) continue outer;
		return at;
	}
	return -1;
}

/**
 * Finds the one signature placeholder whose /Contents holds `contentsBytes` bytes (2 × as many hex
 * zeros). Throws when there is none, or more than one (page content that happened to spell it).
 */
export function findPlaceholder(pdf: Uint8Array, contentsBytes: number): Placeholder {
	const key = ascii(BYTE_RANGE_KEY);
	const at = indexOf(pdf, key);
	if (at === -1) throw new Error("the signature placeholder is missing from the saved PDF");
	if (indexOf(pdf, key, at + 1) !== -1) throw new Error("the signature placeholder appears more than once in the saved PDF");
	const byteRangeAt = at + BYTE_RANGE_KEY.length - BYTE_RANGE_TEXT.length;
	const afterRange = at + key.length;
	const contentsKey = indexOf(pdf, ascii(CONTENTS_KEY), afterRange, afterRange + CONTENTS_WINDOW);
	if (contentsKey === -1) throw new Error("the signature's /Contents does not follow its /ByteRange");
	const contentsStart = contentsKey + CONTENTS_KEY.length - 1;
	const contentsEnd = contentsStart + 2 + contentsBytes * 2;
	for (let k = contentsStart + 1; k < contentsEnd - 1; k++) {
		if (pdf[k] !== 0x30) throw new Error("the signature's /Contents is not the placeholder's size");
	}
	if (pdf[contentsEnd - 1] !== 0x3e) throw new Error("the signature's /Contents is not the placeholder's size");
	return { byteRangeAt, byteRangeWidth: BYTE_RANGE_TEXT.length, contentsStart, contentsEnd };
}

export function byteRangeOf(pdf: Uint8Array, placeholder: Placeholder): ByteRange {
	return [0, placeholder.contentsStart, placeholder.contentsEnd, pdf.length - placeholder.contentsEnd];
}

/** Writes `[0 a b c]`, padded with spaces to the placeholder's width, over the placeholder. */
export function writeByteRange(pdf: Uint8Array, placeholder: Placeholder, range: ByteRange): void {
	const text = `[${range.join(" ")}]`;
	if (text.length > placeholder.byteRangeWidth) throw new Error("the PDF is too large for the signature's byte range");
	pdf.set(ascii(text.padEnd(placeholder.byteRangeWidth, " ")), placeholder.byteRangeAt);
}

/** The two signed parts of the file: everything but /Contents' hex string. */
export function signedParts(pdf: Uint8Array, range: ByteRange): [Uint8Array, Uint8Array] {
	return [pdf.subarray(range[0], range[0] + range[1]), pdf.subarray(range[2], range[2] + range[3])];
}

/** Writes the CMS, upper-case hex, at the start of /Contents; the zeros after it stay as padding. */
export function writeContents(pdf: Uint8Array, placeholder: Placeholder, cms: Uint8Array): void {
	const room = (placeholder.contentsEnd - placeholder.contentsStart - 2) / 2;
	if (cms.byteLength > room) throw new Error(`the signature (${cms.byteLength} bytes) does not fit its placeholder (${room} bytes)`);
	const hex = Array.from(cms, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join("");
	pdf.set(ascii(hex), placeholder.contentsStart + 1);
}
