// One finishing step: what it is given and what it does to the document. Steps are pure over the
// pdf-lib document they are handed (no browser, no storage): whatever they need from outside comes
// in `FinishInput`, loaded before the first step runs.
import type { PDFDocument } from "pdf-lib";
import type { EncryptPasswords, Permissions } from "../schemas/encrypt";
import type { StoredAttachment } from "../schemas/finishing";
import type { StoredPdfOptions } from "../schemas/job-record";
import type { OpenedSigningKey } from "../signing/opened-key";

/** What a stamp needs from storage, by the stamp's index: its image's bytes, its tenant font's. */
export interface StampAssets {
	image?: Uint8Array;
	font?: Uint8Array;
}

/** Bytes the steps need from outside the document, loaded before the first step runs. */
export interface FinishAssets {
	stamps: ReadonlyArray<StampAssets>;
	/** The attachments with their bytes, in the request's order. */
	attachments: readonly AttachmentFile[];
}

export const NO_ASSETS: FinishAssets = { stamps: [], attachments: [] };

/** What the encryption step gets: the permissions, and the passwords opened only when it runs. */
export interface EncryptInput {
	permissions: Permissions;
	/** The passwords, unsealed for this attempt; null when they cannot be opened any more. */
	passwords: () => Promise<EncryptPasswords | null>;
}
/** An attachment to embed, its bytes read from storage before the steps run. */
export interface AttachmentFile extends Omit<StoredAttachment, "key"> {
	bytes: Uint8Array;
	/** When the file was received (the job's creation): its /CreationDate and /ModDate. */
	receivedAt: Date;
}

export interface FinishInput {
	/** The job's `pdf` options (metadata and the finishing options among them). */
	pdf: StoredPdfOptions;
	/** The document's title, already resolved: the request's, else the first page's <title>, else the filename. */
	title: string;
	/** The language the catalog's /Lang gets: the request's, else the first part's own; null keeps what the PDF has. */
	lang: string | null;
	/** Stamp images and fonts, attachments' bytes (NO_ASSETS until src/render/finishing.ts loads them for the steps that apply). */
	assets: FinishAssets;
	/** `pdf.encrypt` (kept apart from `pdf` in the job record); null: no encryption. */
	encrypt: EncryptInput | null;
	/** The key `pdf.sign` names, opened when the job runs (src/render/finishing.ts); null without `pdf.sign`. */
	signingKey: OpenedSigningKey | null;
	/** The job's attachments as stored (their bytes come in `assets`); empty without any. */
	attachments: readonly StoredAttachment[];
}

export interface FinishStep {
	/** Named in FINISH_FAILED messages and the log. */
	name: string;
	/** Whether the step has anything to do for these options. */
	applies(input: FinishInput): boolean;
	run(doc: PDFDocument, input: FinishInput): Promise<void> | void;
	/**
	 * Work on the saved file's bytes, after every step has run and the document is saved (signing:
	 * the signature covers the file as saved). Returns the bytes to store (it may change them in place).
	 */
	afterSave?(pdf: Uint8Array, input: FinishInput): Promise<Uint8Array>;
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
