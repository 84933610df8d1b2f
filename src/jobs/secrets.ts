// A job record's secrets over its life. Page credentials (page.headers, basicAuth, cookies) are
// needed only while the job can still render, so they are erased once it is terminal. Webhook
// headers are needed for every delivery of the terminal event, including a redelivery days later
// (POST /v1/renders/{id}/webhook), so they are kept sealed instead: AES-GCM under a key derived from
// SIGNING_SECRET for this job, opened only for the attempt that sends them, and gone with the whole
// record RETENTION_SECONDS after the job ended. The passwords of `pdf.encrypt` are sealed the same
// way (never stored in plaintext, not even before the first save), opened only by the attempt that
// encrypts, and erased once the job is terminal: no later step needs them.
import { EncryptPasswords, type EncryptOptions, type StoredEncrypt } from "../schemas/encrypt";
import { Headers } from "../schemas/render-request";
import { parseStored } from "../schemas/stored";
import { redactText } from "../security/redact";
import { seal, unseal } from "../security/seal";
import { log } from "../log";
import type { JobRecord } from "./record";

/** How long a due deletion waits for a webhook series still being delivered, at most. */
export const PURGE_WEBHOOK_GRACE_MS = 48 * 60 * 60 * 1000;
/** While a deletion waits for its webhook series: how often the alarm looks again. */
export const PURGE_RECHECK_MS = 10 * 60 * 1000;

const purpose = (job: JobRecord) => `webhook-headers:${job.id}`;
const encryptPurpose = (jobId: string) => `encrypt-passwords:${jobId}`;

/** What the record keeps of `pdf.encrypt`: every permission spelled out, the passwords sealed for this job. */
export async function sealEncrypt(env: Env, jobId: string, options: EncryptOptions): Promise<StoredEncrypt> {
	const passwords: EncryptPasswords = { userPassword: options.userPassword, ownerPassword: options.ownerPassword };
	return { permissions: options.permissions ?? {}, sealedPasswords: await seal(env, encryptPurpose(jobId), JSON.stringify(passwords)) };
}

/** The passwords for the attempt that encrypts; null once erased or if the secret that sealed them is no longer in force. */
export async function openEncryptPasswords(env: Env, job: Pick<JobRecord, "id" | "encrypt">): Promise<EncryptPasswords | null> {
	const sealed = job.encrypt?.sealedPasswords;
	if (!sealed) return null;
	const plain = await unseal(env, encryptPurpose(job.id), sealed);
	return plain === null ? null : parseStored(EncryptPasswords, "encryption passwords", plain);
}

/** Moves plaintext webhook headers into `sealedHeaders` (on the first save, or when an old record is upgraded). */
export async function sealWebhookHeaders(env: Env, job: JobRecord): Promise<void> {
	const w = job.webhook;
	if (!w || Object.keys(w.headers).length === 0) return;
	w.sealedHeaders = await seal(env, purpose(job), JSON.stringify(w.headers));
	w.headers = {};
}

/** The webhook headers for one attempt; none if the secret that sealed them is no longer in force. */
export async function openWebhookHeaders(env: Env, job: JobRecord): Promise<Record<string, string>> {
	const sealed = job.webhook?.sealedHeaders;
	if (!sealed) return {};
	const plain = await unseal(env, purpose(job), sealed);
	if (plain === null) {
		log({ msg: "webhook headers unreadable (SIGNING_SECRET rotated past them); sent without", jobId: job.id });
		return {};
	}
	// Opened but not headers: a corrupted record (CorruptedStore), not a reason to send without them.
	return parseStored(Headers, "webhook headers", plain);
}

export function eraseTerminalSecrets(job: JobRecord): void {
	const { headers: _headers, cookies: _cookies, basicAuth: _basicAuth, ...rest } = job.page;
	job.page = rest;
	if (job.encrypt) job.encrypt = { ...job.encrypt, sealedPasswords: null };
	// A presigned URL's query is its credential, and its headers may be too: nothing is sent to it after the job ends.
	if (job.destination?.type === "presigned_put") job.destination = { type: "presigned_put", url: redactText(job.destination.url) };
}

function webhookBusy(job: JobRecord): boolean {
	const w = job.webhook;
	return !!w && w.eventId !== null && (w.enqueuePending || w.status === "pending" || w.status === "delivering");
}

/** The record is due for deletion: retention is over and no webhook series is still running (or it ran out of grace). */
export function purgeDue(job: JobRecord, now: number): boolean {
	if (job.purgeAt === null || now < job.purgeAt) return false;
	return !webhookBusy(job) || now >= job.purgeAt + PURGE_WEBHOOK_GRACE_MS;
}

/** When the alarm should next look at the record's deletion. */
export function purgeRecheckAt(job: JobRecord, now: number): number {
	if (job.purgeAt === null) return Number.POSITIVE_INFINITY;
	if (now < job.purgeAt || purgeDue(job, now)) return job.purgeAt;
	return Math.min(now + PURGE_RECHECK_MS, job.purgeAt + PURGE_WEBHOOK_GRACE_MS);
}
