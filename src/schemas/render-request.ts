// The body of POST /v1/renders: the single source of request types, validation and OpenAPI.
import { z } from "@hono/zod-openapi";
import { MAX_PARTS, Output, PdfMetadata, PreviewOptions, ScreenshotOptions, TemplateRef } from "./outputs";

export const MAX_HTML_BYTES = 10 * 1024 * 1024;
/** page.timeoutMs when the request gives none: the whole navigation + wait budget. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** RFC 9110 token: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** No CR, LF or NUL: a header value can never start a second header. */
const SAFE_TEXT = /^[^\r\n\0]*$/;
/** CSS length as Chrome's printer takes it: a number with an optional px|in|cm|mm unit. */
const CSS_LENGTH = /^\d+(\.\d+)?(px|in|cm|mm)?$/;
/** Chrome's page ranges: "1-3, 5, 8-". */
const PAGE_RANGES = /^\s*\d+\s*(-\s*\d*\s*)?(,\s*\d+\s*(-\s*\d*\s*)?)*$/;

const headerValue = z.string().max(8192).regex(SAFE_TEXT, "must not contain CR, LF or NUL");
export const Headers = z
	.record(z.string().min(1).max(256).regex(HEADER_NAME, "must be a valid HTTP header name"), headerValue)
	.refine((h) => Object.keys(h).length <= 50, "at most 50 headers");

const cssLength = z.union([z.string().regex(CSS_LENGTH, "must be a length like 10mm, 1in, 96px or 96"), z.number().min(0).max(100000)]);

export const PdfOptions = z
	.strictObject({
		format: z.enum(["Letter", "Legal", "Tabloid", "Ledger", "A0", "A1", "A2", "A3", "A4", "A5", "A6"]).optional(),
		width: cssLength.optional(),
		height: cssLength.optional(),
		landscape: z.boolean().optional(),
		margin: z
			.strictObject({ top: cssLength.optional(), right: cssLength.optional(), bottom: cssLength.optional(), left: cssLength.optional() })
			.optional(),
		scale: z.number().min(0.1).max(2).optional(),
		printBackground: z.boolean().optional(),
		displayHeaderFooter: z.boolean().optional(),
		headerTemplate: z.string().max(100_000).optional(),
		footerTemplate: z.string().max(100_000).optional(),
		pageRanges: z.string().max(1000).regex(PAGE_RANGES, 'must look like "1-3, 5, 8-"').optional(),
		preferCSSPageSize: z.boolean().optional(),
		outline: z.boolean().optional(),
		tagged: z.boolean().optional(),
		metadata: PdfMetadata.optional(),
	})
	.openapi("PdfOptions");

const Cookie = z.strictObject({
	name: z.string().min(1).max(4096).regex(SAFE_TEXT),
	value: z.string().max(4096).regex(SAFE_TEXT),
	domain: z.string().max(253).optional(),
	path: z.string().max(1024).optional(),
	secure: z.boolean().optional(),
	httpOnly: z.boolean().optional(),
	sameSite: z.enum(["Strict", "Lax", "None"]).optional(),
	expires: z.number().int().optional(),
});

export const PageOptions = z
	.strictObject({
		viewport: z
			.strictObject({
				width: z.number().int().min(1).max(10000),
				height: z.number().int().min(1).max(10000),
				deviceScaleFactor: z.number().min(0.1).max(4).optional(),
			})
			.optional(),
		emulateMediaType: z.enum(["print", "screen"]).optional(),
		waitUntil: z.enum(["load", "domcontentloaded", "networkidle0", "networkidle2"]).optional(),
		waitForSelector: z.string().min(1).max(1000).optional(),
		delayMs: z.number().int().min(0).max(10000).optional(),
		timeoutMs: z.number().int().min(1000).max(120000).optional(),
		headers: Headers.optional(),
		cookies: z.array(Cookie).max(50).optional(),
		userAgent: z.string().min(1).max(1024).regex(SAFE_TEXT, "must not contain CR, LF or NUL").optional(),
		javaScriptEnabled: z.boolean().optional(),
		basicAuth: z.strictObject({ username: z.string().max(1024).regex(SAFE_TEXT), password: z.string().max(1024).regex(SAFE_TEXT) }).optional(),
		failOnHttpError: z.boolean().optional(),
	})
	.openapi("PageOptions");

export const WebhookRequest = z
	.strictObject({
		url: z.string().max(2048),
		method: z.enum(["POST", "PUT", "PATCH"]).default("POST"),
		headers: Headers.optional(),
	})
	.openapi("WebhookRequest");

export const Metadata = z
	.record(z.string().min(1).max(64), z.string().max(512))
	.refine((m) => Object.keys(m).length <= 16, "at most 16 keys")
	.openapi("Metadata");

/** One document of a merged render: its own source and options, over the request's `pdf` and `page`. */
export const Part = z
	.strictObject({
		url: z.string().min(1).max(8192).optional(),
		html: z.string().min(1).max(MAX_HTML_BYTES).optional(),
		template: TemplateRef.optional(),
		pdf: PdfOptions.omit({ metadata: true }).optional(),
		page: PageOptions.optional(),
	})
	.superRefine((part, ctx) => {
		if ([part.url, part.html, part.template].filter((s) => s !== undefined).length !== 1) {
			ctx.addIssue({ code: "custom", path: ["url"], message: "exactly one of url, html or template is required" });
		}
	})
	.openapi("Part");
export type Part = z.infer<typeof Part>;

export const RenderRequest = z
	.strictObject({
		url: z.string().min(1).max(8192).optional(),
		html: z.string().min(1).max(MAX_HTML_BYTES).optional(),
		template: TemplateRef.optional(),
		parts: z.array(Part).min(1).max(MAX_PARTS).optional().openapi({ description: `Up to ${MAX_PARTS} documents printed one by one and merged in order into one PDF` }),
		output: Output.optional(),
		screenshot: ScreenshotOptions.optional(),
		preview: PreviewOptions.optional(),
		pdf: PdfOptions.optional(),
		page: PageOptions.optional(),
		async: z.boolean().default(true),
		filename: z.string().min(1).max(255).optional(),
		expiresIn: z.number().int().min(60).max(604800).default(86400),
		webhook: WebhookRequest.optional(),
		metadata: Metadata.optional(),
	})
	.superRefine((body, ctx) => {
		if ([body.url, body.html, body.template, body.parts].filter((s) => s !== undefined).length !== 1) {
			ctx.addIssue({ code: "custom", path: ["url"], message: "exactly one of url, html, template or parts is required" });
		}
		if ((body.output ?? "pdf") !== "pdf" && body.parts) ctx.addIssue({ code: "custom", path: ["output"], message: "parts are merged into a PDF; output must be pdf" });
		if ((body.output ?? "pdf") === "pdf" && body.screenshot) ctx.addIssue({ code: "custom", path: ["screenshot"], message: "screenshot options need output png, jpeg or webp" });
		if ((body.output ?? "pdf") !== "pdf" && body.preview) ctx.addIssue({ code: "custom", path: ["preview"], message: "a preview is a thumbnail of a PDF's first page; output must be pdf" });
	})
	.openapi("RenderRequest");

export type RenderRequest = z.infer<typeof RenderRequest>;
export type PdfOptions = z.infer<typeof PdfOptions>;
export type PageOptions = z.infer<typeof PageOptions>;
export type WebhookRequest = z.infer<typeof WebhookRequest>;
