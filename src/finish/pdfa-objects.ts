// What PDF/A (ISO 19005-2/-3) forbids in a document's objects, put right or refused, object by
// object: JavaScript and other forbidden actions and additional actions are removed, annotations are
// made printable and visible, image interpolation is turned off, font subsets' incomplete CIDSet and
// CharSet entries (optional, and wrong if incomplete) are dropped, and a font that is not embedded
// is refused. Chromium's own output carries none of these today (it marks its links printable and
// embeds every font); the pass is there so that what reaches a PDF/A document is checked, not assumed.
import { PDFArray, PDFDict, type PDFDocument, PDFName, PDFNumber, type PDFObject, PDFRef, PDFStream } from "pdf-lib";
import { FinishError } from "./step";

/** Action types PDF/A-2 and -3 forbid (ISO 19005-2, 6.5.1). */
const FORBIDDEN_ACTIONS = new Set([
	"Launch",
	"Sound",
	"Movie",
	"ResetForm",
	"ImportData",
	"JavaScript",
	"Hide",
	"SetOCGState",
	"Rendition",
	"Trans",
	"GoTo3DView",
]);

/** Annotation flags: Print on; Invisible, Hidden, NoView and ToggleNoView off (ISO 19005-2, 6.3.2). */
const PRINT = 4;
const HIDING = 1 | 2 | 32 | 256;

/** Font types whose program must be embedded (a Type0 font's program is its descendant's; Type3 glyphs are content). */
const NEEDS_PROGRAM = new Set(["Type1", "MMType1", "TrueType", "CIDFontType0", "CIDFontType2"]);
const PROGRAMS = ["FontFile", "FontFile2", "FontFile3"].map((key) => PDFName.of(key));

const name = (dict: PDFDict, key: string): string | undefined => dict.lookupMaybe(PDFName.of(key), PDFName)?.decodeText();

function isForbiddenAction(value: PDFObject | undefined, doc: PDFDocument): boolean {
	const action = value instanceof PDFRef ? doc.context.lookup(value) : value;
	if (!(action instanceof PDFDict)) return false;
	const type = name(action, "S");
	return type !== undefined && FORBIDDEN_ACTIONS.has(type);
}

/** Removes additional actions, forbidden actions and the JavaScript name tree from one dictionary. */
function removeActions(dict: PDFDict, doc: PDFDocument): void {
	dict.delete(PDFName.of("AA"));
	for (const key of ["A", "OpenAction"]) if (isForbiddenAction(dict.get(PDFName.of(key)), doc)) dict.delete(PDFName.of(key));
	if (dict === doc.catalog) dict.lookupMaybe(PDFName.of("Names"), PDFDict)?.delete(PDFName.of("JavaScript"));
}

function fixAnnotation(dict: PDFDict): void {
	const flags = dict.lookupMaybe(PDFName.of("F"), PDFNumber)?.asNumber() ?? 0;
	dict.set(PDFName.of("F"), PDFNumber.of((flags | PRINT) & ~HIDING));
}

function fixImage(dict: PDFDict): void {
	dict.delete(PDFName.of("Interpolate"));
	dict.delete(PDFName.of("Alternates"));
	dict.delete(PDFName.of("OPI"));
}

function checkFont(dict: PDFDict): void {
	const subtype = name(dict, "Subtype");
	if (subtype === undefined || !NEEDS_PROGRAM.has(subtype)) return;
	const descriptor = dict.lookupMaybe(PDFName.of("FontDescriptor"), PDFDict);
	if (descriptor && PROGRAMS.some((key) => descriptor.has(key))) return;
	const font = name(dict, "BaseFont") ?? "a font";
	throw new FinishError(`the font ${font} is not embedded, and PDF/A needs every font embedded (name a tenant font for stamps)`);
}

/** One dictionary, by what it is. */
function fixDict(dict: PDFDict, doc: PDFDocument): void {
	removeActions(dict, doc);
	const type = name(dict, "Type");
	const subtype = name(dict, "Subtype");
	if (subtype === "Image") fixImage(dict);
	if (subtype === "PS") throw new FinishError("the PDF holds a PostScript XObject, which PDF/A forbids");
	if (type === "FontDescriptor") {
		dict.delete(PDFName.of("CIDSet"));
		dict.delete(PDFName.of("CharSet"));
	}
	if (type === "Font") checkFont(dict);
}

/** Every dictionary in `value`, direct ones nested in arrays and dictionaries included (references are not followed). */
function visit(value: PDFObject, doc: PDFDocument): void {
	if (value instanceof PDFStream) {
		visit(value.dict, doc);
		return;
	}
	if (value instanceof PDFArray) {
		for (let i = 0; i < value.size(); i++) visit(value.get(i), doc);
		return;
	}
	if (!(value instanceof PDFDict)) return;
	fixDict(value, doc);
	for (const [, child] of value.entries()) visit(child, doc);
}

/** Every annotation of every page (the pages' /Annots say which dictionaries are annotations). */
function fixAnnotations(doc: PDFDocument): void {
	for (const page of doc.getPages()) {
		const annots = page.node.Annots();
		for (let i = 0; i < (annots?.size() ?? 0); i++) {
			const annot = annots?.lookupMaybe(i, PDFDict);
			if (annot) fixAnnotation(annot);
		}
	}
}

/** Puts right, or refuses, whatever of the document's objects PDF/A forbids. */
export function conformObjects(doc: PDFDocument): void {
	for (const [, object] of doc.context.enumerateIndirectObjects()) visit(object, doc);
	fixAnnotations(doc);
}
