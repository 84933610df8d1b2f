// The fonts a PDF uses, read from its font dictionaries (ISO 32000-1 §9.6-9.7): each top-level font's
// /BaseFont, and whether its program is in the file (/FontFile, /FontFile2 or /FontFile3 in its
// descriptor; a Type0 font's descriptor is its descendant CIDFont's). Type3 fonts draw their glyphs
// with PDF operators, so they are always in the file.
import type { IndirectObject, ScanResult } from "./scanner";
import { isDict, isRef, nameOf, type PdfDict, type PdfValue } from "./values";

export const FONT_KEYS = ["Type", "Subtype", "BaseFont", "FontDescriptor", "DescendantFonts", "FontName", "FontFile", "FontFile2", "FontFile3"];
/** /DescendantFonts is an array of one reference: kept whole (objects.ts). */
export const FONT_WHOLE_KEYS = ["DescendantFonts"];

/** A font dictionary or a font descriptor: what the font list is made of. */
export function isFontObject({ value }: IndirectObject): boolean {
	const type = isDict(value) ? nameOf(value.get("Type")) : null;
	return type === "Font" || type === "FontDescriptor";
}

export interface FontFact {
	/** The PostScript name without a subset tag ("AAAAAA+"). */
	name: string;
	embedded: boolean;
}

const DESCENDANTS = new Set(["CIDFontType0", "CIDFontType2"]);

function dictAt(scan: ScanResult, ref: PdfValue | undefined): PdfDict | null {
	if (!isRef(ref)) return null;
	const value = scan.resolve(ref).value;
	return isDict(value) ? value : null;
}

/** A simple font's or a CIDFont's program is in its descriptor. */
function hasProgram(scan: ScanResult, font: PdfDict): boolean {
	const descriptor = dictAt(scan, font.get("FontDescriptor"));
	return descriptor !== null && ["FontFile", "FontFile2", "FontFile3"].some((key) => isRef(descriptor.get(key)));
}

function embedded(scan: ScanResult, font: PdfDict): boolean {
	const subtype = nameOf(font.get("Subtype"));
	if (subtype === "Type3") return true;
	if (subtype !== "Type0") return hasProgram(scan, font);
	const descendants = font.get("DescendantFonts");
	const descendant = Array.isArray(descendants) ? dictAt(scan, descendants[0]) : null;
	return descendant !== null && hasProgram(scan, descendant);
}

const withoutSubsetTag = (name: string) => name.replace(/^[A-Z]{6}\+/, "");

/**
 * Each font the document uses once, by name, in file order: Chrome writes one font dictionary per
 * subset, so a face appears several times. A name counts as embedded only when every subset is.
 * Throws UnreadablePdf when a font's descriptor or descendant cannot be resolved.
 */
export function fontFacts(scan: ScanResult, objects: readonly IndirectObject[]): FontFact[] {
	const fonts = new Map<string, boolean>();
	for (const { value } of objects) {
		if (!isDict(value) || nameOf(value.get("Type")) !== "Font") continue;
		const subtype = nameOf(value.get("Subtype"));
		if (subtype === null || DESCENDANTS.has(subtype)) continue;
		const name = withoutSubsetTag(nameOf(value.get("BaseFont")) ?? `(${subtype} font)`);
		fonts.set(name, (fonts.get(name) ?? true) && embedded(scan, value));
	}
	return [...fonts].map(([name, isEmbedded]) => ({ name, embedded: isEmbedded }));
}
