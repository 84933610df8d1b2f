// /v1/renders: create a render (async or sync) and read a job.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { config } from "../config";
import { isJobId, jobStub, newJobId } from "../jobs/ids";
import { newJobRecord } from "../jobs/new-record";
import type { JobRecord } from "../jobs/record";
import { jobView } from "../jobs/view";
import { SharedBrowser } from "../render/browser";
import { runJob, type RunResult } from "../render/run-job";
import { errorResponse } from "../schemas/error";
import { Job, type RenderErrorCode } from "../schemas/job";
import { RenderRequest } from "../schemas/render-request";
import { checkUrl } from "../security/url-policy";
import { contentDisposition } from "../storage/documents";
import { ApiError } from "./errors";
import { createRouter, limitBody, requireJson } from "./router";
import type { AppEnv } from "./types";

const JobIdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "ren_01jd7y3k9q2x4m5n6p7r8s9t0v" }) });

const createRender = createRoute({
	method: "post",
	path: "/",
	summary: "Create a render",
	description: "Queues a render (202) or, with `async: false`, renders at once and answers with the PDF.",
	middleware: [limitBody, requireJson] as const,
	request: { body: { content: { "application/json": { schema: RenderRequest } }, required: true } },
	responses: {
		202: { description: "Accepted: the job object, status queued", content: { "application/json": { schema: Job } } },
		200: { description: "Synchronous render: the PDF", content: { "application/pdf": { schema: z.string().openapi({ format: "binary" }) } } },
		400: errorResponse("Invalid request or URL_NOT_ALLOWED"),
		401: errorResponse("Missing or invalid API key"),
		413: errorResponse("Body larger than 10 MiB"),
		415: errorResponse("Body is not JSON"),
		502: errorResponse("Synchronous render failed at the target page"),
		503: errorResponse("Synchronous render could not run now; the job continues asynchronously"),
	},
});

const getRender = createRoute({
	method: "get",
	path: "/{id}",
	summary: "Read a render job",
	request: { params: JobIdParam },
	responses: {
		200: { description: "The job", content: { "application/json": { schema: Job } } },
		401: errorResponse("Missing or invalid API key"),
		404: errorResponse("No such job for this tenant"),
	},
});

const cancelRender = createRoute({
	method: "delete",
	path: "/{id}",
	summary: "Cancel a render, or delete its document",
	description: "Queued or rendering: the job is canceled and no PDF is stored after it. Finished: the stored PDF is deleted and its links answer 404.",
	request: { params: JobIdParam },
	responses: {
		200: { description: "The job after the change", content: { "application/json": { schema: Job } } },
		401: errorResponse("Missing or invalid API key"),
		404: errorResponse("No such job for this tenant"),
	},
});

const redeliverWebhook = createRoute({
	method: "post",
	path: "/{id}/webhook",
	summary: "Deliver the job's terminal event again",
	description: "A new attempt series for the same event (same webhook-id and body).",
	request: { params: JobIdParam },
	responses: {
		202: { description: "Queued for delivery", content: { "application/json": { schema: Job } } },
		401: errorResponse("Missing or invalid API key"),
		404: errorResponse("No such job for this tenant"),
		409: errorResponse("The job has no webhook or has not finished"),
	},
});

type Body = z.infer<typeof RenderRequest>;

/** URL_NOT_ALLOWED for a render or webhook URL outside the address policy. */
function checkTargets(env: Env, body: Body): void {
	const { allowPrivateNetwork } = config(env);
	const refuse = (path: string, reason: string) => new ApiError(400, "URL_NOT_ALLOWED", `${path} is not allowed: ${reason}`, [{ path, message: reason }]);
	if (body.url !== undefined) {
		const verdict = checkUrl(body.url, { allowPrivateNetwork });
		if (!verdict.ok) throw refuse("url", verdict.reason);
	}
	if (body.webhook) {
		// Plain http webhooks only where private networks are allowed, i.e. local development.
		const verdict = checkUrl(body.webhook.url, { allowPrivateNetwork, requireHttps: !allowPrivateNetwork });
		if (!verdict.ok) throw refuse("webhook.url", verdict.reason);
	}
	if (body.html !== undefined && body.page?.cookies?.some((cookie) => !cookie.domain)) {
		throw new ApiError(400, "INVALID_REQUEST", "cookies need a domain when rendering html", [{ path: "page.cookies", message: "domain is required with html" }]);
	}
}

const SYNC_STATUS: Partial<Record<RenderErrorCode, ContentfulStatusCode>> = {
	URL_NOT_ALLOWED: 400,
	NAVIGATION_FAILED: 502,
	HTTP_ERROR: 502,
	RENDER_TIMEOUT: 504,
	CONTENT_TOO_LARGE: 413,
	BROWSER_UNAVAILABLE: 503,
	STORAGE_FAILED: 503,
};

/** The sync path runs one attempt in this request; a transient failure hands the job to the queue. */
async function renderNow(c: Context<AppEnv>, id: string): Promise<Response> {
	const browser = new SharedBrowser(c.env);
	let result: RunResult;
	try {
		result = await runJob(c.env, id, browser);
	} finally {
		c.executionCtx.waitUntil(browser.release());
	}
	const headers = { "Render-Id": id };
	if (result.kind === "succeeded") {
		return c.body(result.pdf as Uint8Array<ArrayBuffer>, 200, {
			...headers,
			"Content-Type": "application/pdf",
			"Content-Disposition": contentDisposition(result.document.filename),
			ETag: result.document.etag,
		});
	}
	if (result.kind === "retry") {
		await c.env.RENDER_QUEUE.send({ jobId: id }, { delaySeconds: result.delaySeconds });
		const message = `${result.error.message} (the job was queued for retry; poll /v1/renders/${id})`;
		throw new ApiError(SYNC_STATUS[result.error.code] ?? 503, result.error.code, message, undefined, headers);
	}
	if (result.kind === "failed") throw new ApiError(SYNC_STATUS[result.error.code] ?? 500, result.error.code, result.error.message, undefined, headers);
	throw new ApiError(409, "CONFLICT", `the job is ${result.kind === "busy" ? "already rendering" : result.status}`, undefined, headers);
}

async function stashHtml(env: Env, record: JobRecord, html: string): Promise<void> {
	if (!record.sourceKey) return;
	try {
		await env.DOCUMENTS.put(record.sourceKey, html, { httpMetadata: { contentType: "text/html; charset=utf-8" } });
	} catch (err) {
		throw new ApiError(503, "STORAGE_FAILED", `could not store the HTML source: ${err instanceof Error ? err.message : String(err)}`);
	}
}

export const renders = createRouter()
	.openapi(createRender, async (c) => {
		const body = c.req.valid("json");
		checkTargets(c.env, body);
		const now = Date.now();
		const id = newJobId(now);
		const record = newJobRecord(c.env, id, c.var.tenantId, body, new URL(c.req.url).origin, now);
		if (body.html !== undefined) await stashHtml(c.env, record, body.html);
		const { job } = await jobStub(c.env, id).create(record);
		if (!body.async) return renderNow(c, id);
		// If this send is lost the job's watchdog alarm re-sends it: an accepted job is never stranded.
		await c.env.RENDER_QUEUE.send({ jobId: id }).catch((err: unknown) => console.error(JSON.stringify({ msg: "render enqueue failed", jobId: id, error: String(err) })));
		return c.json(await jobView(c.env, job), 202, { Location: `/v1/renders/${id}` });
	})
	.openapi(getRender, async (c) => {
		const { id } = c.req.valid("param");
		const job = isJobId(id) ? await jobStub(c.env, id).read(c.var.tenantId) : null;
		if (!job) throw notFound(id);
		return c.json(await jobView(c.env, job), 200);
	})
	.openapi(cancelRender, async (c) => {
		const { id } = c.req.valid("param");
		const result = isJobId(id) ? await jobStub(c.env, id).cancel(c.var.tenantId) : null;
		if (!result) throw notFound(id);
		return c.json(await jobView(c.env, result.job), 200);
	})
	.openapi(redeliverWebhook, async (c) => {
		const { id } = c.req.valid("param");
		const result = isJobId(id) ? await jobStub(c.env, id).redeliverWebhook(c.var.tenantId) : ({ ok: false, reason: "missing" } as const);
		if (result.ok) return c.json(await jobView(c.env, result.job), 202);
		if (result.reason === "missing") throw notFound(id);
		throw new ApiError(409, "CONFLICT", result.reason === "no-webhook" ? "the render has no webhook" : "the render has not finished; its event does not exist yet");
	});

function notFound(id: string): ApiError {
	return new ApiError(404, "NOT_FOUND", `no render ${id}`);
}
