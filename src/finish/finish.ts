// Finishing: the steps a whole PDF goes through after printing (and merging parts), as one ordered
// list. The order is the contract's: stamps count the final document's pages, the document entries
// describe what the stamps left, and later steps (attachments, PDF/A, signing or encryption) seal
// the result. Each step says whether it applies; a PDF no step but the entries applies to streams
// from Chrome to storage untouched instead (src/render/pdf-metadata.ts writes its Info).
import type { PDFDocument } from "pdf-lib";
import { attachments } from "./attachments";
import { documentEntries } from "./document-entries";
import { stamps } from "./stamps";
import { encrypt } from "./encrypt";
import { sign } from "./sign";
import { pdfa } from "./pdfa";
import { FinishError, type FinishInput, type FinishStep } from "./step";

export { FinishError, type FinishInput };

/**
 * Attachments and PDF/A describe the finished content; signing or encrypting (never both) comes
 * last: it seals the file every other step made, and whatever a step after encryption wrote would be
 * in plaintext.
 */
export const FINISH_STEPS: readonly FinishStep[] = [stamps, documentEntries, attachments, pdfa, encrypt, sign];

/** Whether these options need the whole PDF in memory: some step beyond the document entries applies. */
export function needsWholePdf(input: FinishInput): boolean {
	return FINISH_STEPS.some((step) => step !== documentEntries && step.applies(input));
}

/** `work` for `step`; a failure that is not already a FinishError becomes one naming the step. */
async function within<T>(step: FinishStep, work: () => Promise<T> | T): Promise<T> {
	try {
		return await work();
	} catch (err) {
		if (err instanceof FinishError) throw err;
		throw new FinishError(`finishing failed at the ${step.name} step`, err);
	}
}

/** Runs every step that applies, in order; a step's own failure becomes a FinishError naming it. */
export async function finishDocument(doc: PDFDocument, input: FinishInput): Promise<void> {
	for (const step of FINISH_STEPS) {
		if (step.applies(input)) await within(step, () => step.run(doc, input));
	}
}

/** The saved document through the steps that work on its bytes (signing), in order. */
export async function finishSaved(pdf: Uint8Array, input: FinishInput): Promise<Uint8Array> {
	let bytes = pdf;
	for (const step of FINISH_STEPS) {
		const afterSave = step.afterSave;
		if (afterSave && step.applies(input)) bytes = await within(step, () => afterSave(bytes, input));
	}
	return bytes;
}
