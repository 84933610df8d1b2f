// The render's side of finishing (src/finish/): the input the steps get from the job, a whole PDF
// loaded, finished and saved inside the isolate's whole-PDF turn, and a step's failure turned into
// the job's FINISH_FAILED (its cause logged, never shown).
import { PDFDocument } from "pdf-lib";
import { FinishError, type FinishInput, finishDocument } from "../finish/finish";
import type { AttachmentFile } from "../finish/step";
import { logError } from "../log";
import type { StoredAttachment } from "../schemas/finishing";
import { readAsset } from "../storage/assets";
import type { Production } from "./attempt-inputs";
import { RenderFailure } from "./errors";
import { collectBytes, countObjects, WHOLE_PDF_MAX_BYTES, WHOLE_PDF_MAX_OBJECTS, withWholePdf } from "./pdf-memory";
import { documentTitle } from "./pdf-metadata";

/** One attachment's bytes from R2: a storage error is retried, a missing file fails the job. */
async function loadAttachment(p: Production, stored: StoredAttachment): Promise<AttachmentFile> {
	const bytes = await readAsset(p.env.DOCUMENTS, stored.key).catch((err: unknown) => {
		// R2's own text goes to the log (redacted), not into the job's error.
		logError({ msg: "attachment read failed", jobId: p.job.id, tenantId: p.job.tenantId, error: String(err) });
		throw new RenderFailure("STORAGE_FAILED", "could not read the attachments", true);
	});
	if (!bytes) throw new RenderFailure("FINISH_FAILED", `the attachment ${stored.name} is no longer in storage`, false);
	const { key: _key, ...file } = stored;
	return { ...file, bytes, receivedAt: new Date(p.job.createdAt) };
}

/** What the finishing steps get from the job: its options, its title, the language to write, the attachments' bytes. */
export async function finishInput(p: Production, pageTitle: string, partLang: string | null = null): Promise<FinishInput> {
	const metadata = p.job.pdf.metadata;
	const attachments: AttachmentFile[] = [];
	// One at a time: at most MAX_ATTACHMENT_BYTES in all, read in turn.
	for (const stored of p.job.attachments ?? []) attachments.push(await loadAttachment(p, stored));
	return { pdf: p.job.pdf, title: documentTitle(metadata, pageTitle, p.job.filename), lang: metadata?.language ?? partLang, attachments };
}

/** Runs the finishing steps on `doc`; a step's failure fails the job FINISH_FAILED, permanently. */
export async function finish(p: Production, doc: PDFDocument, input: FinishInput): Promise<void> {
	try {
		await finishDocument(doc, input);
	} catch (err) {
		if (!(err instanceof FinishError)) throw err;
		logError({ msg: "finishing failed", jobId: p.job.id, tenantId: p.job.tenantId, error: err.message, cause: String(err.cause ?? "") });
		throw new RenderFailure("FINISH_FAILED", err.message, false);
	}
}

/** The finished document's bytes. No object streams: the page tree stays readable to the upload's page counter. */
export function saveFinished(doc: PDFDocument): Promise<Uint8Array> {
	return doc.save({ useObjectStreams: false });
}

/**
 * A single printed PDF that finishing needs whole: read into memory up to the whole-PDF limit, then,
 * in the isolate's whole-PDF turn, loaded, finished, saved and handed to `keep` (which stores it).
 */
export async function finishWhole<T>(p: Production, pdf: ReadableStream<Uint8Array>, input: FinishInput, keep: (pdf: Uint8Array) => Promise<T>): Promise<T> {
	const tooLarge = () => new RenderFailure("CONTENT_TOO_LARGE", `the PDF is larger than ${WHOLE_PDF_MAX_BYTES} bytes, the finishing limit`, false);
	const bytes = await collectBytes(pdf, WHOLE_PDF_MAX_BYTES, tooLarge);
	countObjects(bytes, WHOLE_PDF_MAX_OBJECTS, "the PDF", `the PDF has more than ${WHOLE_PDF_MAX_OBJECTS} objects, the finishing limit`);
	return withWholePdf(p.deadline, async () => {
		const doc = await PDFDocument.load(bytes, { updateMetadata: false });
		await finish(p, doc, input);
		return keep(await saveFinished(doc));
	});
}
