// The bytes a render carries for finishing (its attachments), stashed in R2 when the job is created
// (src/storage/assets.ts) so the job record keeps only their keys, and taken back when no job comes of it.
import type { JobRecord } from "../jobs/record";
import { logError } from "../log";
import type { RenderRequest } from "../schemas/render-request";
import { type Asset, deleteAssets, hasAssets, putAssets } from "../storage/assets";
import { ApiError } from "./errors";

/** Base64 the schema has already checked, as bytes. */
function decodeBase64(text: string): Uint8Array {
	const binary = atob(text);
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}

/** The request's attachments paired with the keys newJobRecord gave them. */
function attachmentAssets(record: JobRecord, body: RenderRequest): Asset[] {
	const given = body.pdf?.attachments ?? [];
	return (record.attachments ?? []).map((stored, i) => ({ key: stored.key, bytes: decodeBase64(given[i]?.content ?? ""), contentType: stored.contentType }));
}

/** Puts the job's finishing assets where the consumer reads them; 503 when R2 refuses. */
export async function stashAssets(env: Env, record: JobRecord, body: RenderRequest): Promise<void> {
	if (!hasAssets(record)) return;
	try {
		await putAssets(env.DOCUMENTS, attachmentAssets(record, body));
	} catch (err) {
		logError({ msg: "asset stash failed", jobId: record.id, tenantId: record.tenantId, error: String(err) });
		throw new ApiError(503, "STORAGE_FAILED", "could not store the attachments; retry later");
	}
}

/** Deletes what stashAssets wrote for a job that was never created (best effort, logged). */
export async function discardAssets(env: Env, record: JobRecord): Promise<void> {
	if (!hasAssets(record)) return;
	await deleteAssets(env.DOCUMENTS, record.tenantId, record.id).catch((err: unknown) =>
		logError({ msg: "stashed assets left behind", jobId: record.id, tenantId: record.tenantId, error: String(err) }),
	);
}
