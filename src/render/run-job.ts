// One render attempt of one job: claim it from its Durable Object, print, store in R2, report back.
// Shared by the render queue consumer and the synchronous API path.
import { config } from "../config";
import { log } from "../log";
import { jobStub } from "../jobs/ids";
import type { JobRecord } from "../jobs/record";
import type { JobError } from "../schemas/job";
import { contentDisposition, documentKey, type StoredDocument } from "../storage/documents";
import { sha256Hex } from "../security/crypto";
import { RenderFailure, classify } from "./errors";
import { countPages } from "./pdf-info";
import { printPdf } from "./print";
import type { SharedBrowser } from "./browser";

export type RunResult =
	| { kind: "succeeded"; pdf: Uint8Array; document: StoredDocument }
	| { kind: "retry"; delaySeconds: number; error: JobError }
	| { kind: "failed"; error: JobError }
	| { kind: "busy"; retryAfterSeconds: number }
	/** Nothing to do: finished already (a duplicate delivery), canceled meanwhile, or unknown. */
	| { kind: "skipped"; status: string };

async function loadHtml(env: Env, job: JobRecord): Promise<string | null> {
	if (!job.sourceKey) return null;
	const object = await env.DOCUMENTS.get(job.sourceKey).catch((err: unknown) => {
		throw new RenderFailure("STORAGE_FAILED", `could not read the HTML source: ${String(err)}`, true);
	});
	if (!object) throw new RenderFailure("INTERNAL", "the HTML source is missing", false);
	return object.text();
}

async function store(env: Env, job: JobRecord, pdf: Uint8Array): Promise<StoredDocument> {
	const sha256 = await sha256Hex(pdf);
	const pages = countPages(pdf);
	const key = documentKey(job.tenantId, job.id);
	try {
		const object = await env.DOCUMENTS.put(key, pdf, {
			httpMetadata: { contentType: "application/pdf", contentDisposition: contentDisposition(job.filename) },
			customMetadata: { jobId: job.id, tenantId: job.tenantId, pages: String(pages), sha256 },
			sha256,
		});
		return { key, filename: job.filename, sizeBytes: pdf.byteLength, pages, sha256, etag: object.httpEtag };
	} catch (err) {
		throw new RenderFailure("STORAGE_FAILED", `could not store the PDF: ${err instanceof Error ? err.message : String(err)}`, true);
	}
}

async function attempt(env: Env, job: JobRecord, browser: SharedBrowser): Promise<RunResult> {
	const html = await loadHtml(env, job);
	const renderStart = Date.now();
	const policy = { allowPrivateNetwork: config(env).allowPrivateNetwork };
	const pdf = await printPdf(await browser.get(), { url: job.url, html, pdf: job.pdf, page: job.page }, policy);
	const storeStart = Date.now();
	const document = await store(env, job, pdf);
	const timings = { renderMs: storeStart - renderStart, storeMs: Date.now() - storeStart };
	const outcome = await jobStub(env, job.id).complete(document, timings);
	if (!outcome.ok) {
		// Canceled while we rendered: no document may outlive the cancel.
		await env.DOCUMENTS.delete(document.key);
		return { kind: "skipped", status: outcome.status };
	}
	log({ msg: "render succeeded", phase: "complete", jobId: job.id, tenantId: job.tenantId, attempt: job.attempts, ...timings, sizeBytes: document.sizeBytes, pages: document.pages });
	return { kind: "succeeded", pdf, document };
}

export async function runJob(env: Env, jobId: string, browser: SharedBrowser): Promise<RunResult> {
	const stub = jobStub(env, jobId);
	const claim = await stub.claim();
	if (claim.kind === "done") return { kind: "skipped", status: claim.status };
	if (claim.kind === "busy") return { kind: "busy", retryAfterSeconds: claim.retryAfterSeconds };
	const job = claim.job;
	try {
		return await attempt(env, job, browser);
	} catch (err) {
		const failure = classify(err);
		if (failure.code === "BROWSER_UNAVAILABLE") browser.discard();
		log({ msg: "render attempt failed", phase: "render", jobId, tenantId: job.tenantId, attempt: job.attempts, code: failure.code, transient: failure.transient, error: failure.message });
		const decision = await stub.attemptFailed(failure.toJobError(), failure.transient);
		return decision.retry ? { kind: "retry", delaySeconds: decision.delaySeconds, error: failure.toJobError() } : { kind: "failed", error: failure.toJobError() };
	}
}
