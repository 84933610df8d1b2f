// Finishing: the steps a whole PDF goes through after printing (and merging parts), as one ordered
// list. The order is the contract's: stamps count the final document's pages, the document entries
// describe what the stamps left, and later steps (attachments, PDF/A, signing or encryption) seal
// the result. Each step says whether it applies; a PDF no step but the entries applies to streams
// from Chrome to storage untouched instead (src/render/pdf-metadata.ts writes its Info).
import type { PDFDocument } from "pdf-lib";
import { attachments } from "./attachments";
import { documentEntries } from "./document-entries";
import { pdfa } from "./pdfa";
import { FinishError, type FinishInput, type FinishStep } from "./step";

export { FinishError, type FinishInput };

export const FINISH_STEPS: readonly FinishStep[] = [documentEntries, attachments, pdfa];

/** Whether these options need the whole PDF in memory: some step beyond the document entries applies. */
export function needsWholePdf(input: FinishInput): boolean {
	return FINISH_STEPS.some((step) => step !== documentEntries && step.applies(input));
}

/** Runs every step that applies, in order; a step's own failure becomes a FinishError naming it. */
export async function finishDocument(doc: PDFDocument, input: FinishInput): Promise<void> {
	for (const step of FINISH_STEPS) {
		if (!step.applies(input)) continue;
		try {
			await step.run(doc, input);
		} catch (err) {
			if (err instanceof FinishError) throw err;
			throw new FinishError(`finishing failed at the ${step.name} step`, err);
		}
	}
}
