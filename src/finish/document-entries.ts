// The document entries every whole-PDF finish writes last: the Info dictionary (Title, Author,
// Subject, Keywords, Creator, Producer, dates), the catalog's /Lang and /ViewerPreferences
// << /DisplayDocTitle true >>. A tagged document's /MarkInfo << /Marked true >> is Chrome's, and a
// merge writes it with the one structure tree (src/merge/structure.ts). (A PDF that streams straight
// from Chrome gets its Info by an incremental update instead: src/render/pdf-metadata.ts; Chrome
// writes the catalog entries itself.)
import type { PDFDocument } from "pdf-lib";
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

export const documentEntries: FinishStep = {
	name: "document entries",
	applies: () => true,
	run(doc, input) {
		writeInfo(doc, input);
		if (input.lang) doc.setLanguage(input.lang);
	},
};
