// /v1/renders: create (async or sync), list, read, cancel, redeliver the webhook.
import { createRoute, z } from "@hono/zod-openapi";
import { isJobId, jobStub } from "../jobs/ids";
import { jobView } from "../jobs/view";
import { errorResponse } from "../schemas/error";
import { Job, JobStatus } from "../schemas/job";
import { RenderRequest } from "../schemas/render-request";
import { tenantStub } from "../tenants/tenant-object";
import { createRenderJob } from "./create-render";
import { ApiError } from "./errors";
import { createRouter, limitBody, rateLimit, requireJson } from "./router";

const JobIdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "ren_01jd7y3k9q2x4m5n6p7r8s9t0v" }) });

const createRender = createRoute({
	method: "post",
	path: "/",
	summary: "Create a render",
	description: "Queues a render (202) or, with `async: false`, renders at once and answers with the PDF.",
	middleware: [rateLimit, limitBody, requireJson] as const,
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
		202: { description: "Accepted: the job object, status queued", content: { "application/json": { schema: Job } } },
		200: {
			description: "Synchronous render: the PDF. Or an Idempotency-Key replay: the same job (JSON), with Idempotent-Replayed: true",
			content: {
				"application/pdf": { schema: z.string().openapi({ format: "binary" }) },
				"image/png": { schema: z.string().openapi({ format: "binary" }) },
				"image/jpeg": { schema: z.string().openapi({ format: "binary" }) },
				"image/webp": { schema: z.string().openapi({ format: "binary" }) },
				"application/json": { schema: Job },
			},
		},
		422: errorResponse("Idempotency-Key reused with a different body"),
		429: errorResponse("Rate limited, or (synchronous renders) the tenant's concurrent render cap is reached; see Retry-After"),
		400: errorResponse("Invalid request, URL_NOT_ALLOWED, or TEMPLATE_ERROR (naming the line)"),
		401: errorResponse("Missing or invalid API key"),
		413: errorResponse("Body larger than 10 MiB; or (synchronous renders) CONTENT_TOO_LARGE"),
		415: errorResponse("Body is not JSON"),
		502: errorResponse("Synchronous render failed at the target page"),
		503: errorResponse("Synchronous render could not run now; the job continues asynchronously"),
	},
});

const listRenders = createRoute({
	method: "get",
	path: "/",
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
			content: { "application/json": { schema: z.object({ object: z.literal("list"), data: z.array(Job), nextCursor: z.string().nullable() }).openapi("RenderList") } },
		},
		400: errorResponse("Invalid query"),
		401: errorResponse("Missing or invalid API key"),
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
		throw new ApiError(409, "CONFLICT", result.reason === "no-webhook" ? "the render has no webhook" : "the render has not finished; its event does not exist yet");
	});

function notFound(id: string): ApiError {
	return new ApiError(404, "NOT_FOUND", `no render ${id}`);
}
