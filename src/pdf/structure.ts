// What a PDF offers assistive technology (ISO 32000-1 §14.7-14.9, PDF/UA): whether it is tagged
// (the catalog's /MarkInfo says /Marked true and it has a /StructTreeRoot), its language (/Lang),
// its title (the document information's /Title), its outline entries, and from the structure tree
// its headings (H, H1-H6) and figures with and without alternative text (/Alt). Structure elements
// are counted as they stream past and never kept: a long document has one per paragraph.
import type { IndirectObject, ScanResult } from "./scanner";
import { isCount, isDict, isRef, nameOf, PdfString, textOf, type PdfDict, type PdfValue } from "./values";

export const STRUCTURE_KEYS = ["Type", "S", "Alt", "Lang", "MarkInfo", "Marked", "StructTreeRoot", "Outlines", "Count", "Title", "Producer"];
/** The catalog's /MarkInfo is a small dictionary written inline: kept whole (objects.ts). */
export const STRUCTURE_WHOLE_KEYS = ["MarkInfo"];

const HEADINGS = new Set(["H", "H1", "H2", "H3", "H4", "H5", "H6"]);

export interface StructureCounts {
	headings: number;
	figures: number;
	figuresWithoutAlt: number;
}

export const noStructure = (): StructureCounts => ({ headings: 0, figures: 0, figuresWithoutAlt: 0 });

/** Counts a structure element as it is read (none is kept). */
export function countStructure(counts: StructureCounts, { value }: IndirectObject): void {
	if (!isDict(value) || nameOf(value.get("Type")) !== "StructElem") return;
	const role = nameOf(value.get("S"));
	if (role !== null && HEADINGS.has(role)) counts.headings++;
	if (role !== "Figure") return;
	counts.figures++;
	// An /Alt too long to keep is still there (the scanner marks it SKIPPED): only a missing one counts.
	if (!value.has("Alt")) counts.figuresWithoutAlt++;
}

/** The outline root and the document information dictionary, which the catalog and trailer name. */
export function isStructureObject({ value }: IndirectObject): boolean {
	return isDict(value) && (nameOf(value.get("Type")) === "Outlines" || value.has("Producer"));
}

export interface CatalogFacts {
	tagged: boolean;
	lang: string | null;
	title: string | null;
	outlineEntries: number;
}

const text = (value: PdfValue | undefined): string | null => {
	const own = value instanceof PdfString ? textOf(value).trim() : "";
	return own === "" ? null : own;
};

function dictAt(scan: ScanResult, ref: PdfValue | undefined): PdfDict | null {
	if (!isRef(ref)) return null;
	const value = scan.resolve(ref).value;
	return isDict(value) ? value : null;
}

/** The catalog's and the document information's facts; throws UnreadablePdf when what they name is missing. */
export function catalogFacts(scan: ScanResult, catalog: PdfDict): CatalogFacts {
	const markInfo = catalog.get("MarkInfo");
	const marked = isDict(markInfo) && markInfo.get("Marked") === true;
	const outlines = dictAt(scan, catalog.get("Outlines"));
	const count = outlines?.get("Count");
	const info = dictAt(scan, scan.trailer().get("Info"));
	return {
		tagged: marked && isRef(catalog.get("StructTreeRoot")),
		lang: text(catalog.get("Lang")),
		title: text(info?.get("Title")),
		// /Count is negative when the outline is shown closed; its size is the number of entries.
		outlineEntries: typeof count === "number" && isCount(Math.abs(count)) ? Math.abs(count) : 0,
	};
}
