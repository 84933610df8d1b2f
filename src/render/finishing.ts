// The render's side of finishing (src/finish/): the input the steps get from the job, a whole PDF
// loaded, finished and saved inside the isolate's whole-PDF turn, and a step's failure turned into
// the job's FINISH_FAILED (its cause logged, never shown). What the steps need from storage (the
// signing key) is loaded here, before the first step runs.
import { PDFDocument } from "pdf-lib";
import { FinishError, type FinishInput, finishDocument, finishSaved } from "../finish/finish";
import { logError } from "../log";
import { isExpired, loadSigningKey } from "../signing/keys";
import type { OpenedSigningKey } from "../signing/opened-key";
import type { Production } from "./attempt-inputs";
import { RenderFailure } from "./errors";
import { collectBytes, countObjects, WHOLE_PDF_MAX_BYTES, WHOLE_PDF_MAX_OBJECTS, withWholePdf } from "./pdf-memory";
import { documentTitle } from "./pdf-metadata";

/** What the finishing steps get from the job: its options, its title, the language to write. */
export function finishInput(p: Production, pageTitle: string, partLang: string | null = null): FinishInput {
	const metadata = p.job.pdf.metadata;
	return { pdf: p.job.pdf, title: documentTitle(metadata, pageTitle, p.job.filename), lang: metadata?.language ?? partLang, signingKey: null };
}

/**
 * The key `pdf.sign` names, opened: keys are looked up when the job runs, so one deleted, expired or
 * unreadable since the render was accepted fails it (FinishError, naming the key, never its contents).
 */
async function signingKeyFor(p: Production): Promise<OpenedSigningKey | null> {
	const name = p.job.pdf.sign?.key;
	if (name === undefined) return null;
	const key = await loadSigningKey(p.env, p.job.tenantId, name).catch((err: unknown) => {
		throw new FinishError(`the signing key ${name} could not be opened`, err);
	});
	if (!key) throw new FinishError(`the signing key ${name} no longer exists (it was deleted after the render was accepted)`);
	if (isExpired(key.certificate)) throw new FinishError(`the signing key ${name} has expired: its certificate was valid until ${key.certificate.notAfter}`);
	return key;
}

/**
 * Runs the finishing steps on `doc`, saves it and runs the steps on the saved bytes (signing): the
 * finished file. A step's failure fails the job FINISH_FAILED, permanently.
 */
export async function finishAndSave(p: Production, doc: PDFDocument, input: FinishInput): Promise<Uint8Array> {
	try {
		const loaded = { ...input, signingKey: await signingKeyFor(p) };
		await finishDocument(doc, loaded);
		return await finishSaved(await saveFinished(doc), loaded);
	} catch (err) {
		if (!(err instanceof FinishError)) throw err;
		logError({ msg: "finishing failed", jobId: p.job.id, tenantId: p.job.tenantId, error: err.message, cause: String(err.cause ?? "") });
		throw new RenderFailure("FINISH_FAILED", err.message, false);
	}
}

/** The finished document's bytes. No object streams: the page tree stays readable to the upload's page counter, and a signature's placeholder stays in plain bytes. */
function saveFinished(doc: PDFDocument): Promise<Uint8Array> {
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
		return keep(await finishAndSave(p, doc, input));
	});
}
