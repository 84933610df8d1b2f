// The document entries every whole-PDF finish writes last: the Info dictionary (Title, Author,
// Subject, Keywords, Creator, Producer, dates), the catalog's /Lang, /ViewerPreferences
// << /DisplayDocTitle true >> and, when the document has a structure tree, /MarkInfo << /Marked true >>.
// (A PDF that streams straight from Chrome gets its Info by an incremental update instead:
// src/render/pdf-metadata.ts; Chrome writes the catalog entries itself.)
import { PDFBool, PDFDict, PDFName, type PDFDocument } from "pdf-lib";
import type { FinishInput, FinishStep } from "./step";

/** What the Info dictionary names as the producer of a document pdf-lib wrote. */
export const FINISHED_PRODUCER = "edge-pdf (pdf-lib)";

function writeInfo(doc: PDFDocument, input: FinishInput): void {
	const metadata = input.pdf.metadata;
	// showInWindowTitleBar writes /ViewerPreferences << /DisplayDocTitle true >>.
	doc.setTitle(input.title, { showInWindowTitleBar: true });
	if (metadata?.author) doc.setAuthor(metadata.author);
	if (metadata?.subject) doc.setSubject(metadata.subject);
	if (metadata?.keywords?.length) doc.setKeywords(metadata.keywords);
	doc.setCreator(metadata?.creator ?? "edge-pdf");
	doc.setProducer(FINISHED_PRODUCER);
	doc.setModificationDate(new Date());
}

/** /MarkInfo << /Marked true >> on a document with a structure tree: it says the content is tagged. */
function markTagged(doc: PDFDocument): void {
	if (!doc.catalog.has(PDFName.of("StructTreeRoot"))) return;
	const markInfo = doc.context.obj({ Marked: PDFBool.True });
	const existing = doc.catalog.lookupMaybe(PDFName.of("MarkInfo"), PDFDict);
	if (existing) existing.set(PDFName.of("Marked"), PDFBool.True);
	else doc.catalog.set(PDFName.of("MarkInfo"), markInfo);
}

export const documentEntries: FinishStep = {
	name: "document entries",
	applies: () => true,
	run(doc, input) {
		writeInfo(doc, input);
		if (input.lang) doc.setLanguage(input.lang);
		markTagged(doc);
	},
};
