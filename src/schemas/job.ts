// The public job object (GET /v1/renders/{id}, webhook event data) and its parts.
import { z } from "@hono/zod-openapi";
import { DeliveredDestination } from "./destination";
import { CONTENT_TYPE_VALUES, IMAGE_CONTENT_TYPES } from "./outputs";
import { Metadata } from "./render-request";
import { RenderReport } from "./report";

export const JOB_STATUSES = ["queued", "rendering", "succeeded", "failed", "canceled"] as const;
export const JobStatus = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatus>;

export const RENDER_ERROR_CODES = [
	"INVALID_REQUEST",
	"URL_NOT_ALLOWED",
	"NAVIGATION_FAILED",
	"HTTP_ERROR",
	"RENDER_TIMEOUT",
	"PAGE_CRASHED",
	"CONTENT_TOO_LARGE",
	"BROWSER_UNAVAILABLE",
	"STORAGE_FAILED",
	"DESTINATION_FAILED",
	"TEMPLATE_ERROR",
	// A check the request asked for (page.failOn) found something wrong on the page: permanent.
	"PAGE_CHECK_FAILED",
	// A finishing step (stamps, document entries) could not be applied to the printed PDF: permanent.
	"FINISH_FAILED",
	"CANCELED",
	"INTERNAL",
] as const;
export const RenderErrorCode = z.enum(RENDER_ERROR_CODES);
export type RenderErrorCode = z.infer<typeof RenderErrorCode>;

/** Codes a page causes by keeping the renderer busy or crashing it: one more attempt at most, and its tenant moves to the slow lane. */
export const PAGE_FAULTS: ReadonlySet<RenderErrorCode> = new Set(["RENDER_TIMEOUT", "PAGE_CRASHED"]);

export const JobError = z.object({ code: RenderErrorCode, message: z.string() }).openapi("JobError");
export type JobError = z.infer<typeof JobError>;

export const WEBHOOK_STATUSES = ["pending", "delivering", "delivered", "failed"] as const;
export const WebhookAttempt = z
	.object({
		at: z.string(),
		httpStatus: z.number().int().nullable(),
		durationMs: z.number().int(),
		error: z.string().nullable(),
	})
	.openapi("WebhookAttempt");
export type WebhookAttempt = z.infer<typeof WebhookAttempt>;

export const WebhookState = z
	.object({
		url: z.string(),
		status: z.enum(WEBHOOK_STATUSES),
		attempts: z.array(WebhookAttempt),
		nextAttemptAt: z.string().nullable(),
	})
	.openapi("WebhookState");

export const DocumentPreview = z
	.object({
		url: z.string().openapi({ description: "Signed link to the thumbnail, freshly signed on every read" }),
		contentType: z.enum(IMAGE_CONTENT_TYPES),
		width: z.number().int(),
		height: z.number().int(),
		sizeBytes: z.number().int(),
	})
	.openapi("DocumentPreview");

export const DocumentInfo = z
	.object({
		url: z
			.string()
			.nullable()
			.openapi({ description: "Signed download link, freshly signed on every read; null when the PDF went to a destination without keepCopy" }),
		expiresAt: z.string(),
		contentType: z.enum(CONTENT_TYPE_VALUES),
		filename: z.string(),
		sizeBytes: z.number().int(),
		pages: z.number().int(),
		sha256: z.string(),
		destination: DeliveredDestination.nullable().openapi({ description: "Where the PDF was delivered; null without a destination" }),
		preview: DocumentPreview.nullable().optional().openapi({ description: "The first-page thumbnail, when `preview` was requested" }),
	})
	.openapi("Document");

/** One template a render used, at the version it used. */
export const TemplateUse = z
	.object({
		id: z.string().openapi({ example: "tpl_01jd7y3k9q2x4m5n6p7r8s9t0v" }),
		name: z.string().openapi({ description: "Its name when the render used it" }),
		version: z.number().int(),
	})
	.openapi("TemplateUse");
export type TemplateUse = z.infer<typeof TemplateUse>;

const UrlSource = z.object({ type: z.literal("url"), url: z.string() });
const HtmlSource = z.object({ type: z.literal("html"), bytes: z.number().int().openapi({ description: "UTF-8 bytes of the HTML" }) });
const TemplateSource = z.object({
	type: z.literal("template"),
	id: z.string(),
	version: z.number().int(),
	bytes: z.number().int().openapi({ description: "UTF-8 bytes of the rendered HTML" }),
	templates: z.array(TemplateUse).nullable().openapi({
		description:
			"Every template the render used, each at the version it used: this one first, then each one it includes (`{% include %}` / `{% render %}`, at any depth) in the order first used. null for renders created before this was recorded",
	}),
});

const MarkdownSource = z.object({
	type: z.literal("markdown"),
	bytes: z.number().int().openapi({ description: "UTF-8 bytes of the HTML the Markdown converted to" }),
});

/** A part's own source: one of the single sources. */
export const PartSource = z.discriminatedUnion("type", [UrlSource, HtmlSource, TemplateSource, MarkdownSource]).openapi("PartSource");
export type PartSource = z.infer<typeof PartSource>;

const PartsSource = z.object({
	type: z.literal("parts"),
	count: z.number().int(),
	parts: z
		.array(PartSource)
		.nullable()
		.openapi({ description: "Each part's source, in order (templates with the versions they used). null for renders created before this was recorded" }),
});

export const Source = z.discriminatedUnion("type", [UrlSource, HtmlSource, TemplateSource, MarkdownSource, PartsSource]).openapi("Source");
export type Source = z.infer<typeof Source>;

export const Timings = z
	.object({
		queuedMs: z.number().int().nullable(),
		renderMs: z.number().int().nullable(),
		storeMs: z.number().int().nullable(),
	})
	.openapi("Timings");
export type Timings = z.infer<typeof Timings>;

export const Job = z
	.object({
		id: z.string().openapi({ example: "ren_01jd7y3k9q2x4m5n6p7r8s9t0v" }),
		object: z.literal("render"),
		status: JobStatus,
		createdAt: z.string(),
		startedAt: z.string().nullable(),
		completedAt: z.string().nullable(),
		attempts: z.number().int(),
		source: Source,
		document: DocumentInfo.nullable(),
		error: JobError.nullable(),
		timings: Timings,
		report: RenderReport.nullable().openapi({
			description:
				"What happened while the page loaded and printed, and what the PDF holds; null until the job is terminal (and for a job no render attempt ended)",
		}),
		webhook: WebhookState.nullable(),
		metadata: Metadata,
	})
	.openapi("Render");
export type Job = z.infer<typeof Job>;

/**
 * A job view as the event log stored it (without its document). Views stored before a render's
 * templates and parts' sources were recorded lack `source.templates` / `source.parts`: they read as
 * null, "not recorded", as the record's own migration reads them. Anything else must be a Job.
 */
export const StoredJobView = Job.extend({
	source: z.discriminatedUnion("type", [
		UrlSource,
		HtmlSource,
		TemplateSource.extend({ templates: TemplateSource.shape.templates.default(null) }),
		PartsSource.extend({ parts: PartsSource.shape.parts.default(null) }),
	]),
	// Views stored before the render report existed (record version 6) have none.
	report: Job.shape.report.default(null),
});
export type JobWithoutWebhook = Omit<Job, "webhook">;
