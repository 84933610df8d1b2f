// The values of PDF syntax (ISO 32000-1 §7.3), as the parser (objects.ts) builds them.
// Numbers, booleans and null are plain JS values; names, strings and references are small classes so
// a name is never mistaken for a string that happens to spell it.

export class PdfName {
	constructor(readonly name: string) {}
}

export class PdfString {
	constructor(
		readonly bytes: Uint8Array,
		/** Written as <hex> rather than (literal); the bytes are the same either way. */
		readonly hex = false,
	) {}
}

export class PdfRef {
	constructor(
		readonly num: number,
		readonly gen: number,
	) {}
}

/** Stands where the streaming scanner read a value but did not keep it (a nested container, a long string). */
export const SKIPPED = Symbol("skipped");

/** A dictionary's entries by key (the name without its slash). */
export type PdfDict = Map<string, PdfValue>;

export type PdfValue = number | boolean | null | PdfName | PdfString | PdfRef | PdfDict | PdfValue[] | typeof SKIPPED;

export const isDict = (value: PdfValue | undefined): value is PdfDict => value instanceof Map;

export const isRef = (value: PdfValue | undefined): value is PdfRef => value instanceof PdfRef;

/** A non-negative integer, the only kind a count, an offset or an object number may be. */
export const isCount = (value: PdfValue | undefined): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

export const nameOf = (value: PdfValue | undefined): string | null => (value instanceof PdfName ? value.name : null);

/**
 * A text string's characters (§7.9.2.2): UTF-16BE after a byte-order mark, else one character per
 * byte (PDFDocEncoding agrees with Latin-1 on every printable ASCII byte, which is what dates and
 * producer names are made of).
 */
export function textOf(value: PdfString): string {
	const bytes = value.bytes;
	if (bytes[0] === 0xfe && bytes[1] === 0xff) {
		let text = "";
		for (let i = 2; i + 1 < bytes.length; i += 2) text += String.fromCharCode(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
		return text;
	}
	let text = "";
	for (const byte of bytes) text += String.fromCharCode(byte);
	return text;
}
