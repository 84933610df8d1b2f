// Turns a stored JobRecord into the public job object (what GET /v1/renders/{id} answers), signing
// the download link afresh.
import { config } from "../config";
import type { Job, JobWithoutWebhook } from "../schemas/job";
import { filePath, previewPath, signedUrl } from "../storage/signed-links";
import { isTerminal, type JobRecord } from "./record";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

async function documentView(env: Env, job: JobRecord, now: number): Promise<Job["document"]> {
	const doc = job.document;
	if (!doc || job.status !== "succeeded") return null;
	// A link never outlives the document itself.
	const expiresMs = Math.min(now + job.expiresIn * 1000, job.deleteAt ?? Number.POSITIVE_INFINITY);
	const expires = Math.floor(expiresMs / 1000);
	const origin = config(env).publicBaseUrl ?? job.origin;
	// Delivered to a destination without keepCopy: our copy is gone and there is no link.
	const kept = !job.destination || job.keepCopy === true;
	const preview = doc.preview && {
		url: await signedUrl(env, origin, previewPath(job.id), expires),
		contentType: doc.preview.contentType,
		width: doc.preview.width,
		height: doc.preview.height,
		sizeBytes: doc.preview.sizeBytes,
	};
	return {
		url: kept ? await signedUrl(env, origin, filePath(job.id), expires) : null,
		expiresAt: new Date(expires * 1000).toISOString(),
		contentType: doc.contentType ?? "application/pdf",
		filename: doc.filename,
		sizeBytes: doc.sizeBytes,
		pages: doc.pages,
		sha256: doc.sha256,
		destination: job.delivery?.result ?? null,
		...(preview ? { preview } : {}),
	};
}

export async function jobWithoutWebhook(env: Env, job: JobRecord, now = Date.now()): Promise<JobWithoutWebhook> {
	return {
		id: job.id,
		object: "render",
		status: job.status,
		createdAt: new Date(job.createdAt).toISOString(),
		startedAt: iso(job.startedAt),
		completedAt: iso(job.completedAt),
		attempts: job.attempts,
		source: job.source,
		document: await documentView(env, job, now),
		error: job.error,
		timings: job.timings,
		// The report describes the attempt that ended the job: none is final before that.
		report: isTerminal(job.status) ? job.report : null,
		metadata: job.metadata,
	};
}

export async function jobView(env: Env, job: JobRecord, now = Date.now()): Promise<Job> {
	const w = job.webhook;
	return {
		...(await jobWithoutWebhook(env, job, now)),
		webhook: w && { url: w.url, status: w.status, attempts: w.attempts, nextAttemptAt: iso(w.nextAttemptAt) },
	};
}
