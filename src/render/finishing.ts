// The render's side of finishing (src/finish/): the input the steps get from the job, a whole PDF
// loaded, finished and saved inside the isolate's whole-PDF turn, and a step's failure turned into
// the job's FINISH_FAILED (its cause logged, never shown). What the steps need from storage (stamp
// images, tenant fonts, attachments, the signing key) is loaded here, inside the whole-PDF turn,
// before the first step runs.
import { PDFDocument } from "pdf-lib";
import { FinishError, type FinishInput, finishDocument, finishSaved } from "../finish/finish";
import { type AttachmentFile, type EncryptInput, NO_ASSETS } from "../finish/step";
import { openEncryptPasswords } from "../jobs/secrets";
import { logError } from "../log";
import { isExpired, loadSigningKey } from "../signing/keys";
import type { OpenedSigningKey } from "../signing/opened-key";
import type { StoredAttachment } from "../schemas/finishing";
import { readAsset } from "../storage/assets";
import type { Production } from "./attempt-inputs";
import { RenderFailure } from "./errors";
import { collectBytes, countObjects, WHOLE_PDF_MAX_BYTES, WHOLE_PDF_MAX_OBJECTS, withWholePdf } from "./pdf-memory";
import { documentTitle } from "./pdf-metadata";
import { loadStampAssets } from "./stamp-assets";

/** The job's encryption, its passwords opened only when the step runs (and never kept past it). */
function encryptInput(p: Production): EncryptInput | null {
	const stored = p.job.encrypt;
	if (!stored) return null;
	return { permissions: stored.permissions, passwords: () => openEncryptPasswords(p.env, p.job) };
}

/** The attachments' bytes from R2, one at a time (at most MAX_ATTACHMENT_BYTES in all). */
async function loadAttachments(p: Production): Promise<AttachmentFile[]> {
	const files: AttachmentFile[] = [];
	for (const stored of p.job.attachments ?? []) files.push(await loadAttachment(p, stored));
	return files;
}

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

/** What the finishing steps get from the job: its options, its title, the language to write, its encryption. */
export function finishInput(p: Production, pageTitle: string, partLang: string | null = null): FinishInput {
	const metadata = p.job.pdf.metadata;
	return {
		pdf: p.job.pdf,
		title: documentTitle(metadata, pageTitle, p.job.filename),
		lang: metadata?.language ?? partLang,
		assets: NO_ASSETS,
		encrypt: encryptInput(p),
		signingKey: null,
		attachments: p.job.attachments ?? [],
	};
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
 * The finished document's bytes. No object streams: the page tree stays readable to the upload's page
 * counter, an encrypted file has no cross-reference stream, and a signature's placeholder stays in
 * plain bytes. No form appearances regenerated either: that would write new streams after
 * encryption, in plaintext.
 */
function saveFinished(doc: PDFDocument): Promise<Uint8Array> {
	return doc.save({ useObjectStreams: false, updateFieldAppearances: false });
}

/**
 * Loads what the steps need from storage (stamp images, tenant fonts, attachments, the signing key), runs them on
 * `doc`, saves it and runs the steps on the saved bytes (signing): the finished file. A step's
 * failure fails the job FINISH_FAILED, permanently.
 */
export async function finishAndSave(p: Production, doc: PDFDocument, input: FinishInput): Promise<Uint8Array> {
	try {
		const stamps = input.pdf.stamps?.length ? await loadStampAssets(p, input.pdf) : NO_ASSETS;
		const assets = { ...stamps, attachments: await loadAttachments(p) };
		const loaded = { ...input, assets, signingKey: await signingKeyFor(p) };
		await finishDocument(doc, loaded);
		return await finishSaved(await saveFinished(doc), loaded);
	} catch (err) {
		if (!(err instanceof FinishError)) throw err;
		logError({ msg: "finishing failed", jobId: p.job.id, tenantId: p.job.tenantId, error: err.message, cause: String(err.cause ?? "") });
		throw new RenderFailure("FINISH_FAILED", err.message, false);
	}
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
