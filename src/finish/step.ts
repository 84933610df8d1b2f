// One finishing step: what it is given and what it does to the document. Steps are pure over the
// pdf-lib document they are handed (no browser, no storage): whatever they need from outside comes
// in `FinishInput`, loaded before the first step runs.
import type { PDFDocument } from "pdf-lib";
import type { StoredAttachment } from "../schemas/finishing";
import type { PdfOptions } from "../schemas/render-request";

/** An attachment to embed, its bytes read from storage before the steps run. */
export interface AttachmentFile extends Omit<StoredAttachment, "key"> {
	bytes: Uint8Array;
	/** When the file was received (the job's creation): its /CreationDate and /ModDate. */
	receivedAt: Date;
}

export interface FinishInput {
	/** The request's `pdf` options (metadata and the finishing options among them). */
	pdf: PdfOptions;
	/** The document's title, already resolved: the request's, else the first page's <title>, else the filename. */
	title: string;
	/** The language the catalog's /Lang gets: the request's, else the first part's own; null keeps what the PDF has. */
	lang: string | null;
	/** The request's attachments with their bytes, in the request's order; empty without any. */
	attachments: readonly AttachmentFile[];
}

export interface FinishStep {
	/** Named in FINISH_FAILED messages and the log. */
	name: string;
	/** Whether the step has anything to do for these options. */
	applies(input: FinishInput): boolean;
	run(doc: PDFDocument, input: FinishInput): Promise<void> | void;
}

/**
 * A step's failure: `message` is safe to show the client (it names the step and what of the request
 * it could not apply); `cause` (a library's own text, which may quote the document) goes to the log only.
 */
export class FinishError extends Error {
	constructor(
		message: string,
		override readonly cause?: unknown,
	) {
		super(message);
		this.name = "FinishError";
	}
}
