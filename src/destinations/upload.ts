// One delivery try: the stored PDF, read from R2 afresh (so a retry never prints again), PUT to a
// presigned URL or to a saved S3 destination. Never throws: every failure becomes an outcome.
import { log } from "../log";
import type { JobRecord } from "../schemas/job-record";
import type { DeliveredDestination } from "../schemas/destination";
import type { RenderDestination } from "../schemas/render-request";
import type { StoredDocument } from "../storage/documents";
import { send, withoutQuery, type StorageAnswer } from "./http";
import { expandKey, objectUrl, signedS3Request } from "./s3";
import { checkDestinationUrl, loadDestination } from "./saved";
import type { DeliveryOutcome } from "./state";

const failed = (message: string, transient = false, code: "DESTINATION_FAILED" | "URL_NOT_ALLOWED" = "DESTINATION_FAILED"): DeliveryOutcome => ({
	ok: false,
	transient,
	error: { code, message },
});

/** The PDF as a body of known length, so the PUT carries its exact Content-Length. */
async function pdfBody(env: Env, doc: StoredDocument): Promise<ReadableStream<Uint8Array> | DeliveryOutcome> {
	let object: R2ObjectBody | null;
	try {
		object = await env.DOCUMENTS.get(doc.key);
	} catch (err) {
		return failed(`could not read the stored PDF: ${err instanceof Error ? err.message : String(err)}`, true);
	}
	if (!object) return failed("the stored PDF is gone (deleted or expired) before it could be delivered");
	const fixed = new FixedLengthStream(object.size);
	void object.body.pipeTo(fixed.writable).catch(() => undefined); // a failed read fails the PUT, which reports it
	return fixed.readable;
}

type Attempt = { answer: StorageAnswer; where: Omit<DeliveredDestination, "etag" | "sizeBytes" | "deliveredAt"> } | DeliveryOutcome;

async function putPresigned(env: Env, dest: Extract<RenderDestination, { type: "presigned_put" }>, doc: StoredDocument): Promise<Attempt> {
	const verdict = checkDestinationUrl(env, dest.url);
	if (!verdict.ok) return failed(`destination.url is not allowed: ${verdict.reason}`, false, "URL_NOT_ALLOWED");
	const body = await pdfBody(env, doc);
	if (!(body instanceof ReadableStream)) return body;
	const headers = new Headers(dest.headers);
	headers.set("content-type", "application/pdf");
	const answer = await send(new Request(dest.url, { method: "PUT", headers, body }));
	return { answer, where: { type: "presigned_put", bucket: null, key: null, url: withoutQuery(dest.url) } };
}

/** The object's address; a key that could leave the bucket (refused at request time too) fails for good. */
function safeObjectUrl(target: Parameters<typeof objectUrl>[0], key: string): URL | DeliveryOutcome {
	try {
		return objectUrl(target, key);
	} catch (err) {
		return failed(err instanceof Error ? err.message : String(err));
	}
}

async function putS3(env: Env, job: JobRecord, dest: Extract<RenderDestination, { type: "s3" }>, doc: StoredDocument): Promise<Attempt> {
	let saved: Awaited<ReturnType<typeof loadDestination>>;
	try {
		saved = await loadDestination(env, job.tenantId, dest.destination);
	} catch (err) {
		return failed(`could not read the saved destination: ${err instanceof Error ? err.message : String(err)}`, true);
	}
	if (!saved) return failed(`the saved destination "${dest.destination}" does not exist (any more)`);
	const verdict = checkDestinationUrl(env, saved.target.endpoint);
	if (!verdict.ok) return failed(`the endpoint of destination "${dest.destination}" is not allowed: ${verdict.reason}`, false, "URL_NOT_ALLOWED");
	const key = expandKey(dest.key, job);
	const url = safeObjectUrl(saved.target, key);
	if (!(url instanceof URL)) return url;
	const body = await pdfBody(env, doc);
	if (!(body instanceof ReadableStream)) return body;
	// The payload hash is the PDF's sha256, signed: the storage rejects a body that differs.
	const headers = { "content-type": "application/pdf", "x-amz-content-sha256": doc.sha256 };
	const answer = await send(await signedS3Request(saved.target, saved.credentials, url, { method: "PUT", headers, body }));
	return { answer, where: { type: "s3", bucket: saved.target.bucket, key, url: null } };
}

export async function deliverDocument(env: Env, job: JobRecord, now = Date.now): Promise<DeliveryOutcome> {
	const dest = job.destination;
	const doc = job.document;
	if (!dest || !doc) return failed("nothing to deliver");
	const attempt = dest.type === "presigned_put" ? await putPresigned(env, dest, doc) : await putS3(env, job, dest, doc);
	if (!("answer" in attempt)) return attempt;
	const { answer, where } = attempt;
	log({
		msg: "delivery try",
		phase: "deliver",
		jobId: job.id,
		tenantId: job.tenantId,
		type: where.type,
		try: job.delivery?.tries ?? 0,
		httpStatus: answer.httpStatus,
		durationMs: answer.durationMs,
		error: answer.error,
	});
	if (answer.error === null)
		return { ok: true, destination: { ...where, etag: answer.etag, sizeBytes: doc.sizeBytes, deliveredAt: new Date(now()).toISOString() } };
	return failed(answer.error, answer.transient);
}
