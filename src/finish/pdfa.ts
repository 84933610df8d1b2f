// PDF/A-2b and PDF/A-3b (ISO 19005-2/-3, level b: the look of the pages is preserved). The step
// runs after the document entries and the attachments, so what it describes is final: it conforms
// the objects (pdfa-objects.ts), adds the sRGB output intent (output-intent.ts), writes the XMP
// metadata from the Info dictionary (xmp.ts; the Info dictionary's text and dates are rewritten in
// the same form, so the two agree exactly), gives the file an /ID and a PDF 1.7 header.
import { PDFDict, type PDFDocument, PDFHeader, PDFHexString, PDFName, PDFString } from "pdf-lib";
import type { PdfStandard } from "../schemas/finishing";
import { facturxSchema } from "./facturx";
import { setOutputIntent } from "./output-intent";
import { conformObjects } from "./pdfa-objects";
import { FinishError, type FinishInput, type FinishStep } from "./step";
import { type XmpFields, xmlSafe, xmpPacket } from "./xmp";

const PART: Record<PdfStandard, 2 | 3> = { "PDF/A-2b": 2, "PDF/A-3b": 3 };

/** The Info dictionary's text entries the XMP mirrors. */
const TEXT_ENTRIES = ["Title", "Author", "Subject", "Keywords", "Creator", "Producer"] as const;
type TextEntry = (typeof TEXT_ENTRIES)[number];

/** An Info text entry as XML can carry it, written back in that form (so Info and XMP agree); undefined when absent. */
function infoText(info: PDFDict, key: TextEntry): string | undefined {
	const value = info.lookup(PDFName.of(key));
	if (!(value instanceof PDFString || value instanceof PDFHexString)) return undefined;
	const text = xmlSafe(value.decodeText());
	info.set(PDFName.of(key), PDFHexString.fromText(text));
	return text;
}

/** An Info date to the second, written back in pdf-lib's UTC form; `fallback` when absent or unreadable. */
function infoDate(info: PDFDict, key: "CreationDate" | "ModDate", fallback: Date): Date {
	const value = info.lookup(PDFName.of(key));
	let date = fallback;
	if (value instanceof PDFString || value instanceof PDFHexString) {
		try {
			const parsed = value.decodeDate();
			if (!Number.isNaN(parsed.getTime())) date = parsed;
		} catch {
			// An unreadable date is replaced: PDF/A needs one the XMP can state.
		}
	}
	const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
	info.set(PDFName.of(key), PDFString.fromDate(whole));
	return whole;
}

/** The Info dictionary (the document entries step has written it; an empty one if not). */
function infoDict(doc: PDFDocument): PDFDict {
	const existing = doc.context.lookupMaybe(doc.context.trailerInfo.Info, PDFDict);
	if (existing) return existing;
	const info = doc.context.obj({});
	doc.context.trailerInfo.Info = doc.context.register(info);
	return info;
}

/** The XMP's fields, read from the Info dictionary (after normalising it). */
function xmpFields(doc: PDFDocument, input: FinishInput, standard: PdfStandard): XmpFields {
	const info = infoDict(doc);
	const text = Object.fromEntries(TEXT_ENTRIES.map((key) => [key, infoText(info, key)])) as Record<TextEntry, string | undefined>;
	const modifyDate = infoDate(info, "ModDate", new Date());
	const createDate = infoDate(info, "CreationDate", modifyDate);
	return {
		part: PART[standard],
		conformance: "B",
		title: text.Title,
		author: text.Author,
		subject: text.Subject,
		keywords: text.Keywords,
		creatorTool: text.Creator,
		producer: text.Producer,
		createDate,
		modifyDate,
		extensions: input.pdf.facturx ? [facturxSchema(input.pdf.facturx)] : [],
	};
}

function setMetadata(doc: PDFDocument, xmp: string): void {
	// Uncompressed, so that tools that do not inflate streams can still find the PDF/A identification.
	const stream = doc.context.stream(new TextEncoder().encode(xmp), { Type: "Metadata", Subtype: "XML" });
	doc.catalog.set(PDFName.of("Metadata"), doc.context.register(stream));
}

/** The trailer's /ID: two 16-byte strings, the same for a file written once. */
function setFileId(doc: PDFDocument): void {
	const hex = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
	doc.context.trailerInfo.ID = doc.context.obj([PDFHexString.of(hex), PDFHexString.of(hex)]);
}

export const pdfa: FinishStep = {
	name: "PDF/A",
	applies: (input) => input.pdf.standard !== undefined,
	run(doc, input) {
		const standard = input.pdf.standard;
		if (!standard) return;
		if (doc.context.trailerInfo.Encrypt) throw new FinishError("an encrypted PDF cannot be PDF/A");
		conformObjects(doc);
		setOutputIntent(doc);
		setMetadata(doc, xmpPacket(xmpFields(doc, input, standard)));
		setFileId(doc);
		doc.context.header = PDFHeader.forVersion(1, 7);
	},
};
