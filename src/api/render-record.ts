// The record a new render job starts with, settled before anything is stored: a request refused
// here (an S3 key that could leave its bucket, options too large to keep) leaves nothing behind.
import { expandKey } from "../destinations/s3";
import { newJobRecord } from "../jobs/new-record";
import type { JobRecord } from "../jobs/record";
import { jsonBytes, largestPart, MAX_RECORD_BYTES } from "../jobs/record-size";
import { sealEncrypt, sealWebhookHeaders } from "../jobs/secrets";
import type { RenderRequest } from "../schemas/render-request";
import { s3KeyProblem } from "../schemas/s3-key";
import { ApiError } from "./errors";
import { applyTenantWebhook } from "./render-settings";
import { type ResolvedSources, withSources } from "./render-sources";

export interface NewJob {
	id: string;
	tenantId: string;
	origin: string;
	now: number;
}

/** 400 naming destination.key when the key, expanded as the delivery will, is not one S3 may write. */
function checkObjectKey(record: JobRecord): void {
	if (record.destination?.type !== "s3") return;
	const problem = s3KeyProblem(expandKey(record.destination.key, record));
	if (problem)
		throw new ApiError(400, "INVALID_REQUEST", `destination.key ${problem} once expanded`, { details: [{ path: "destination.key", message: problem }] });
}

/** 413 past MAX_RECORD_BYTES, naming the part of the request that takes the most. */
function checkRecordSize(record: JobRecord): void {
	const bytes = jsonBytes(record);
	if (bytes <= MAX_RECORD_BYTES) return;
	const largest = largestPart(record);
	const message = `the job's options take ${bytes} bytes, more than 1 MiB (${MAX_RECORD_BYTES} bytes); ${largest.path} takes ${largest.bytes}`;
	throw new ApiError(413, "CONTENT_TOO_LARGE", message, { details: [{ path: largest.path, message: `takes ${largest.bytes} bytes of the job's 1 MiB` }] });
}

export async function newRenderRecord(env: Env, job: NewJob, body: RenderRequest, sources: ResolvedSources): Promise<JobRecord> {
	const record = withSources(newJobRecord(env, job.id, job.tenantId, body, job.origin, job.now), body, sources);
	checkObjectKey(record);
	await applyTenantWebhook(env, record, body);
	// Sealed now, as the job's first save would: what is measured is what the Durable Object stores.
	await sealWebhookHeaders(env, record);
	// The encryption passwords never reach the record in plaintext: newJobRecord left them out of `pdf`.
	if (body.pdf?.encrypt) record.encrypt = await sealEncrypt(env, record.id, body.pdf.encrypt);
	checkRecordSize(record);
	return record;
}
