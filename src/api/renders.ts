// /v1/renders: create (async or sync), list, read, cancel, redeliver the webhook.
import { createRoute, z } from "@hono/zod-openapi";
import { isJobId, jobStub } from "../jobs/ids";
import { MAX_WEBHOOK_SERIES } from "../webhooks/state";
import { jobView } from "../jobs/view";
import { errorResponse } from "../schemas/error";
import { responseHeaders } from "../schemas/headers";
import { Job, JobStatus } from "../schemas/job";
import { RenderRequest } from "../schemas/render-request";
import { tenantStub } from "../tenants/tenant-object";
import { createRenderJob } from "./create-render";
import { ApiError } from "./errors";
import { jsonResponse, unauthorized } from "./responses";
import { createRouter, documentBody, rateLimit, redeliveryLimit, requireJson } from "./router";

const JobIdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "ren_01jd7y3k9q2x4m5n6p7r8s9t0v" }) });

const createRender = createRoute({
	method: "post",
	path: "/",
	operationId: "createRender",
	summary: "Create a render",
	description: "Queues a render (202) or, with `async: false`, renders at once and answers with the PDF.",
	middleware: [rateLimit, documentBody, requireJson] as const,
	request: {
		headers: z.object({
			"idempotency-key": z
				.string()
				.min(1)
				.max(255)
				.regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces")
				.optional()
				.openapi({ description: "The same key with the same body within 24 h returns the same job (200, Idempotent-Replayed: true); with another body, 422." }),
		}),
		body: { content: { "application/json": { schema: RenderRequest } }, required: true },
	},
	responses: {
		202: { description: "Accepted: the job object, status queued", headers: responseHeaders("Location"), content: { "application/json": { schema: Job } } },
		200: {
			description:
				"Synchronous render: the PDF or image (with Render-Id, Content-Disposition, ETag). Or an Idempotency-Key replay: the same job (JSON), with Idempotent-Replayed: true",
			headers: responseHeaders("Render-Id", "Content-Disposition", "ETag", "Idempotent-Replayed", "Location"),
			content: {
				"application/pdf": { schema: z.string().openapi({ format: "binary" }) },
				"image/png": { schema: z.string().openapi({ format: "binary" }) },
				"image/jpeg": { schema: z.string().openapi({ format: "binary" }) },
				"image/webp": { schema: z.string().openapi({ format: "binary" }) },
				"application/json": { schema: Job },
			},
		},
		400: errorResponse(
			"Invalid request (INVALID_REQUEST), an address outside the policy (URL_NOT_ALLOWED), or a template error naming the line (TEMPLATE_ERROR)",
		),
		401: unauthorized,
		404: errorResponse("Synchronous render: the document was deleted before it could be sent", "Render-Id"),
		409: errorResponse("Synchronous render: the job is already rendering or finished", "Render-Id"),
		413: errorResponse(
			"Body larger than 10 MiB, the job's options (headers, cookies, page templates, metadata over all parts) larger than 1 MiB, or (synchronous) the output is too large (CONTENT_TOO_LARGE)",
		),
		415: errorResponse("Body is not JSON"),
		422: errorResponse(
			"Idempotency-Key reused with a different body (IDEMPOTENCY_CONFLICT), or (synchronous) the page failed a check of page.failOn (PAGE_CHECK_FAILED) or the PDF could not take the finishing asked for (FINISH_FAILED)",
			"Render-Id",
		),
		429: errorResponse("Rate limited (RATE_LIMITED), or (synchronous renders) the tenant's concurrent render cap is reached; see Retry-After", "Retry-After"),
		500: errorResponse("Internal error, or a synchronous render failed in a way that has no better status", "Render-Id"),
		502: errorResponse("Synchronous render failed at the target page (NAVIGATION_FAILED, HTTP_ERROR, PAGE_CRASHED, DESTINATION_FAILED)", "Render-Id"),
		503: errorResponse("Synchronous render could not run now (BROWSER_UNAVAILABLE, STORAGE_FAILED); the job continues asynchronously", "Render-Id"),
		504: errorResponse("Synchronous render ran out of time (RENDER_TIMEOUT)", "Render-Id"),
	},
});

const listRenders = createRoute({
	method: "get",
	path: "/",
	operationId: "listRenders",
	summary: "List the tenant's renders, newest first",
	request: {
		query: z.object({
			status: JobStatus.optional(),
			limit: z.coerce.number().int().min(1).max(100).default(20),
			cursor: z.string().max(64).optional().openapi({ description: "nextCursor of the previous page" }),
		}),
	},
	responses: {
		200: {
			description: "A page of jobs",
			content: {
				"application/json": { schema: z.object({ object: z.literal("list"), data: z.array(Job), nextCursor: z.string().nullable() }).openapi("RenderList") },
			},
		},
		400: errorResponse("Invalid query"),
		401: unauthorized,
		500: errorResponse("Internal error"),
	},
});

const getRender = createRoute({
	method: "get",
	path: "/{id}",
	operationId: "getRender",
	summary: "Read a render job",
	request: { params: JobIdParam },
	responses: {
		200: jsonResponse("The job", Job),
		401: unauthorized,
		404: errorResponse("No such job for this tenant"),
		500: errorResponse("Internal error"),
	},
});

const cancelRender = createRoute({
	method: "delete",
	path: "/{id}",
	operationId: "cancelRender",
	summary: "Cancel a render, or delete its document",
	description: "Queued or rendering: the job is canceled and no PDF is stored after it. Finished: the stored PDF is deleted and its links answer 404.",
	request: { params: JobIdParam },
	responses: {
		200: jsonResponse("The job after the change", Job),
		401: unauthorized,
		404: errorResponse("No such job for this tenant"),
		500: errorResponse("Internal error"),
	},
});

const redeliverWebhook = createRoute({
	method: "post",
	path: "/{id}/webhook",
	operationId: "redeliverWebhook",
	summary: "Deliver the job's terminal event again",
	description:
		"A new attempt series for the same event (same webhook-id and body). Limited to 30 calls a minute per tenant and 5 series per job (the first delivery and 4 redeliveries); past either, 429 with Retry-After.",
	middleware: [redeliveryLimit] as const,
	request: { params: JobIdParam },
	responses: {
		202: jsonResponse("Queued for delivery", Job),
		401: unauthorized,
		404: errorResponse("No such job for this tenant"),
		500: errorResponse("Internal error"),
		409: errorResponse("The job has no webhook or has not finished"),
		429: errorResponse("Too many redeliveries (per tenant, or this job's 5 series used up); see Retry-After", "Retry-After"),
	},
});

export const renders = createRouter()
	.openapi(createRender, async (c) => createRenderJob(c, c.req.valid("json"), c.req.valid("header")["idempotency-key"]))
	.openapi(listRenders, async (c) => {
		const { status, limit, cursor } = c.req.valid("query");
		const page = await tenantStub(c.env, c.var.tenantId).listJobs({ status, limit, cursor });
		const jobs = await Promise.all(page.ids.map((id) => jobStub(c.env, id).read(c.var.tenantId)));
		const data = await Promise.all(jobs.flatMap((job) => (job ? [jobView(c.env, job)] : [])));
		return c.json({ object: "list" as const, data, nextCursor: page.nextCursor }, 200);
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
		if (result.reason === "capped") {
			const message = `this render's event was already sent in ${MAX_WEBHOOK_SERIES} attempt series; it cannot be redelivered again`;
			throw new ApiError(429, "RATE_LIMITED", message, { headers: { "Retry-After": String(result.retryAfterSeconds) } });
		}
		throw new ApiError(
			409,
			"CONFLICT",
			result.reason === "no-webhook" ? "the render has no webhook" : "the render has not finished; its event does not exist yet",
		);
	});

function notFound(id: string): ApiError {
	return new ApiError(404, "NOT_FOUND", `no render ${id}`);
}
