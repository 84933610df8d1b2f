// The work behind POST /v1/renders: address checks, idempotency, the HTML stash, the sync path.
// (createRenderJob, at the end, is the whole flow; template previews use it too.)
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { config } from "../config";
import { jobStub, newJobId } from "../jobs/ids";
import { logError } from "../log";
import type { JobObject } from "../jobs/job-object";
import type { JobRecord } from "../jobs/record";
import { leaseEnd } from "../jobs/render-lease";
import { jobView } from "../jobs/view";
import { sendRender } from "../queue-message";
import { SharedBrowser } from "../render/browser";
import { runJob, type RunResult } from "../render/run-job";
import type { RenderErrorCode } from "../schemas/job";
import type { RenderRequest } from "../schemas/render-request";
import { deriveKeyBytes, hex, hmacSha256, sha256Hex, signingSecrets } from "../security/crypto";
import { checkUrl } from "../security/url-policy";
import { contentDisposition, type StoredDocument } from "../storage/documents";
import { tenantStub } from "../tenants/tenant-object";
import { ApiError } from "./errors";
import { checkRenderDestination, checkRenderSigningKey } from "./render-settings";
import { discardAssets, stashAssets } from "./render-assets";
import { newRenderRecord } from "./render-record";
import { checkPartTargets, discardSources, type ResolvedSources, resolveSources, stashSources } from "./render-sources";
import { checkStampFonts, stashStampImages } from "./render-stamps";
import type { AppEnv } from "./types";

type Body = RenderRequest;

/** URL_NOT_ALLOWED for a render or webhook URL outside the address policy. */
export function checkTargets(env: Env, body: Body): void {
	const { allowPrivateNetwork } = config(env);
	const refuse = (path: string, reason: string) =>
		new ApiError(400, "URL_NOT_ALLOWED", `${path} is not allowed: ${reason}`, { details: [{ path, message: reason }] });
	if (body.url !== undefined) {
		const verdict = checkUrl(body.url, { allowPrivateNetwork });
		if (!verdict.ok) throw refuse("url", verdict.reason);
	}
	if (body.webhook) {
		// Plain http webhooks only where private networks are allowed, i.e. local development.
		const verdict = checkUrl(body.webhook.url, { allowPrivateNetwork, requireHttps: !allowPrivateNetwork });
		if (!verdict.ok) throw refuse("webhook.url", verdict.reason);
	}
	// Inline HTML and Markdown have no origin a domain-less cookie could belong to.
	const inline = body.html !== undefined ? "html" : body.markdown !== undefined ? "markdown" : null;
	if (inline && body.page?.cookies?.some((cookie) => !cookie.domain)) {
		throw new ApiError(400, "INVALID_REQUEST", `cookies need a domain when rendering ${inline}`, {
			details: [{ path: "page.cookies", message: `domain is required with ${inline}` }],
		});
	}
}

const SYNC_STATUS: Partial<Record<RenderErrorCode, ContentfulStatusCode>> = {
	// The request's own options did not fit the document (pdf.pageRanges past the last page, in a part too).
	INVALID_REQUEST: 400,
	TEMPLATE_ERROR: 400,
	URL_NOT_ALLOWED: 400,
	NAVIGATION_FAILED: 502,
	HTTP_ERROR: 502,
	// The page crashed its renderer: the target page failed, like a navigation error.
	PAGE_CRASHED: 502,
	RENDER_TIMEOUT: 504,
	CONTENT_TOO_LARGE: 413,
	BROWSER_UNAVAILABLE: 503,
	STORAGE_FAILED: 503,
	DESTINATION_FAILED: 502,
	// The page loaded but failed a check the request asked for (page.failOn): the request's own terms.
	PAGE_CHECK_FAILED: 422,
	// The printed PDF could not take the finishing the request asked for (a stamp, the document entries).
	FINISH_FAILED: 422,
};

/** The sync path runs one attempt in this request; a transient failure hands the job to the queue. */
export async function renderNow(c: Context<AppEnv>, id: string): Promise<Response> {
	const browser = new SharedBrowser(c.env);
	let result: RunResult;
	try {
		result = await runJob(c.env, id, browser, "sync");
	} finally {
		c.executionCtx.waitUntil(browser.release());
	}
	const headers = { "Render-Id": id };
	if (result.kind === "succeeded") {
		const pdf = await storedPdf(c, result.document, headers);
		if (pdf) return pdf;
		// Delivered to a destination without keepCopy: the answer is the job, which says where it went.
		const job = await jobStub(c.env, id).read(c.var.tenantId);
		if (job?.delivery?.result) return c.json(await jobView(c.env, job), 200, headers);
		throw new ApiError(404, "NOT_FOUND", "the document was deleted before it could be sent", { headers });
	}
	if (result.kind === "retry") {
		await sendRender(c.env, id, result.delaySeconds);
		const message = `${result.error.message} (the job was queued for retry; poll /v1/renders/${id})`;
		throw new ApiError(SYNC_STATUS[result.error.code] ?? 503, result.error.code, message, { headers });
	}
	if (result.kind === "failed") throw new ApiError(SYNC_STATUS[result.error.code] ?? 500, result.error.code, result.error.message, { headers });
	if (result.kind === "skipped") throw new ApiError(409, "CONFLICT", `the job is ${result.status}`, { headers });
	if (result.kind === "wait" || result.kind === "divert") {
		// Its reserved slot lapsed before the claim: the queue takes the job over, as on a retry.
		const retryAfter = result.kind === "wait" ? result.retryAfterSeconds : 1;
		await sendRender(c.env, id, retryAfter, result.kind === "divert" ? "slow" : "fast");
		const message = `this tenant has too many renders in progress (the job was queued; poll /v1/renders/${id})`;
		throw new ApiError(429, "RATE_LIMITED", message, { headers: { ...headers, "Retry-After": String(retryAfter) } });
	}
	throw new ApiError(409, "CONFLICT", "the job is already rendering", { headers });
}

/** The slot a synchronous render reserved, handed back when no job of its own came of it. */
async function releaseSyncSlot(env: Env, tenantId: string, jobId: string): Promise<void> {
	await tenantStub(env, tenantId)
		.releaseRenderSlot(jobId, false)
		.catch((err: unknown) => logError({ msg: "render slot release failed", jobId, error: String(err) }));
}

/**
 * A synchronous render takes one of its tenant's render slots before its job exists, so a request
 * over TENANT_MAX_CONCURRENT_RENDERS is refused (429) without leaving a job behind.
 */
export async function reserveSyncSlot(env: Env, tenantId: string, jobId: string, body: Body, now: number): Promise<void> {
	const until = leaseEnd({ page: body.page ?? {}, parts: body.parts }, now);
	const grant = await tenantStub(env, tenantId).acquireRenderSlot({ jobId, until, cap: config(env).tenantMaxConcurrentRenders, lane: "sync" }, now);
	if (grant.kind === "granted") return;
	const retryAfter = grant.kind === "wait" ? grant.retryAfterSeconds : 1;
	throw new ApiError(429, "RATE_LIMITED", `this tenant already has ${config(env).tenantMaxConcurrentRenders} renders in progress; retry later`, {
		headers: { "Retry-After": String(retryAfter) },
	});
}

export async function stashHtml(env: Env, record: JobRecord, html: string): Promise<void> {
	if (!record.sourceKey) return;
	try {
		await env.DOCUMENTS.put(record.sourceKey, html, { httpMetadata: { contentType: "text/html; charset=utf-8" } });
	} catch (err) {
		// R2's own text stays in our logs (redacted); the caller learns what failed, not how.
		logError({ msg: "html stash failed", jobId: record.id, tenantId: record.tenantId, error: String(err) });
		throw new ApiError(503, "STORAGE_FAILED", "could not store the HTML source; retry later");
	}
}

/**
 * Stashes the sources in R2, then creates the job, which owns them from then on. If either fails,
 * what was stashed is deleted again, unless the job exists after all (best effort, logged).
 */
async function stashAndCreate(
	env: Env,
	stub: DurableObjectStub<JobObject>,
	record: JobRecord,
	body: Body,
	sources: ResolvedSources,
): Promise<{ created: boolean; job: JobRecord }> {
	try {
		if (body.html !== undefined) await stashHtml(env, record, body.html);
		await stashSources(env, record, sources);
		await stashStampImages(env, record, body);
		await stashAssets(env, record, body);
		// A concurrent request with the same Idempotency-Key may have created it first: only the creator enqueues.
		return await stub.create(record);
	} catch (err) {
		const exists = await stub.read(record.tenantId).then(
			(job) => job !== null,
			() => false,
		);
		if (!exists) await Promise.all([discardSources(env, record), discardAssets(env, record)]);
		throw err;
	}
}

/**
 * What an Idempotency-Key compares of the body: its SHA-256, with the encryption passwords replaced
 * by an HMAC under a key derived from SIGNING_SECRET, so the tenant's store holds no hash anyone
 * could test password guesses against. (After a SIGNING_SECRET rotation a replay with passwords
 * compares as a different body: 422, within the key's 24 hours.)
 */
async function bodyHash(env: Env, tenantId: string, body: Body): Promise<string> {
	const encrypt = body.pdf?.encrypt;
	if (!encrypt) return sha256Hex(JSON.stringify(body));
	const [secret = ""] = signingSecrets(env);
	const key = await deriveKeyBytes(secret, `idempotency-passwords:${tenantId}`);
	const keyed = async (password: string | undefined) => (password === undefined ? undefined : hex(await hmacSha256(key, password)));
	const masked = { userPassword: await keyed(encrypt.userPassword), ownerPassword: await keyed(encrypt.ownerPassword) };
	return sha256Hex(JSON.stringify({ ...body, pdf: { ...body.pdf, encrypt: { ...encrypt, ...masked } } }));
}

/** Idempotency-Key: the job id this request stands for, and whether it replays an earlier one. */
export async function resolveIdempotency(
	env: Env,
	tenantId: string,
	key: string | undefined,
	body: Body,
	freshId: string,
): Promise<{ id: string; replay: boolean }> {
	if (key === undefined) return { id: freshId, replay: false };
	const claim = await tenantStub(env, tenantId).claimIdempotencyKey(key, await bodyHash(env, tenantId, body), freshId);
	if (claim.kind === "conflict") {
		throw new ApiError(422, "IDEMPOTENCY_CONFLICT", "this Idempotency-Key was used with a different request body in the last 24 hours", {
			details: [{ path: "Idempotency-Key", message: "reused with a different body" }],
		});
	}
	return claim.kind === "replay" ? { id: claim.jobId, replay: true } : { id: freshId, replay: false };
}

/** The answer to a replayed request: the same job, or for a finished sync render, the same PDF. */
export async function replayResponse(c: Context<AppEnv>, job: JobRecord, sync: boolean): Promise<Response> {
	const headers = { "Idempotent-Replayed": "true", "Render-Id": job.id, Location: `/v1/renders/${job.id}` };
	const pdf = sync && job.status === "succeeded" && job.document ? await storedPdf(c, job.document, headers) : null;
	return pdf ?? c.json(await jobView(c.env, job), 200, headers);
}

/** The stored PDF as a 200 response, streamed from R2 (never buffered whole here); null when it is gone. */
async function storedPdf(c: Context<AppEnv>, document: StoredDocument, headers: Record<string, string>): Promise<Response | null> {
	const object = await c.env.DOCUMENTS.get(document.key);
	if (!object) return null;
	return c.body(object.body, 200, {
		...headers,
		"Content-Type": document.contentType ?? "application/pdf",
		"Content-Disposition": contentDisposition(document.filename),
		ETag: object.httpEtag,
	});
}

/** POST /v1/renders (and a template preview): validate targets, settle sources, record, then queue or render now. */
export async function createRenderJob(c: Context<AppEnv>, body: Body, idempotencyKey: string | undefined): Promise<Response> {
	checkTargets(c.env, body);
	checkPartTargets(c.env, body);
	await checkRenderDestination(c.env, c.var.tenantId, body);
	await checkStampFonts(c.env, c.var.tenantId, body);
	await checkRenderSigningKey(c.env, c.var.tenantId, body);
	const now = Date.now();
	const { id, replay } = await resolveIdempotency(c.env, c.var.tenantId, idempotencyKey, body, newJobId(now));
	const stub = jobStub(c.env, id);
	const earlier = replay ? await stub.read(c.var.tenantId) : null;
	if (earlier) return replayResponse(c, earlier, !body.async);
	// A synchronous render holds its slot before rendering a template, so a tenant at its cap spends
	// nothing on templates; a template error (or any failure below) hands the slot back and no job exists.
	if (!body.async) await reserveSyncSlot(c.env, c.var.tenantId, id, body, now);
	let created: boolean;
	let job: JobRecord;
	try {
		const sources = await resolveSources(c.env, c.var.tenantId, body);
		// The record, with every check on it, before anything is stored: a request refused here has stored nothing.
		const record = await newRenderRecord(c.env, { id, tenantId: c.var.tenantId, origin: new URL(c.req.url).origin, now }, body, sources);
		({ created, job } = await stashAndCreate(c.env, stub, record, body, sources));
	} catch (err) {
		if (!body.async) await releaseSyncSlot(c.env, c.var.tenantId, id);
		throw err;
	}
	// The slot is keyed by the job's id, which the request that created the job holds now.
	if (!created) return replayResponse(c, job, !body.async);
	if (!body.async) return renderNow(c, id);
	// If this send is lost the job's watchdog alarm re-sends it: an accepted job is never stranded.
	await sendRender(c.env, id).catch((err: unknown) => logError({ msg: "render enqueue failed", jobId: id, error: String(err) }));
	return c.json(await jobView(c.env, job), 202, { Location: `/v1/renders/${id}` });
}
