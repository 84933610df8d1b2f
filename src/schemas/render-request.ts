// The body of POST /v1/renders: the single source of request types, validation and OpenAPI.
import { z } from "@hono/zod-openapi";
import { DESTINATION_NAME } from "./destination";
import { cssLength, PAGE_RANGES } from "./lengths";
import { EncryptOptions } from "./encrypt";
import { finishingFields, finishingIssues, pdfOptionRules } from "./finishing";
import { MAX_PARTS, Output, PdfMetadata, PreviewOptions, ScreenshotOptions, TemplateRef } from "./outputs";
import { MAX_S3_KEY_BYTES, S3_KEY_PATTERN, s3KeyProblem } from "./s3-key";
import { DEFAULT_STAMP_FONT, isStandardFont, type Stamp, Stamps } from "./stamps";
import { PdfSign } from "./signing-key";
import { httpUrl } from "./url";

export const MAX_HTML_BYTES = 10 * 1024 * 1024;
/** page.timeoutMs when the request gives none: the whole navigation + wait budget. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** RFC 9110 token: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** No CR, LF or NUL: a header value can never start a second header. */
const SAFE_TEXT = /^[^\r\n\0]*$/;

/**
 * JSON Schema key rules for a z.record: zod-to-openapi derives neither the key schema nor a count
 * refinement (and its OpenAPI 3.0 types lack propertyNames), so each record states them here.
 */
const keyRules = (propertyNames: { minLength: number; maxLength: number; pattern?: string }, maxProperties: number) => ({
	propertyNames: { type: "string", ...propertyNames },
	maxProperties,
});

/**
 * The source rules of the superRefine below and of checkTargets, as JSON Schema: exactly one of url
 * and html (each branch requires one and forbids the other with the schema `false`, JSON Schema
 * 2020-12 that zod-to-openapi's OpenAPI 3.0 types cannot spell), and with html every cookie names a domain.
 */
/** Inline HTML, templates and Markdown have no origin (and parts may be any): each cookie must name its domain. */
const COOKIES_NEED_DOMAIN = { page: { properties: { cookies: { items: { required: ["domain"], properties: { domain: { minLength: 1 } } } } } } };
const NO_ORIGIN = new Set(["html", "template", "markdown", "parts"]);

/** `oneOf` branches that each require one of `sources`, forbid the others, and for sources without an origin ask cookies for a domain. */
function exactlyOneOf(sources: string[]): OpenApiMetadata {
	const oneOf = sources.map((source) => ({
		required: [source],
		properties: { ...Object.fromEntries(sources.map((s) => [s, s === source ? {} : false])), ...(NO_ORIGIN.has(source) ? COOKIES_NEED_DOMAIN : {}) },
	}));
	return { oneOf: oneOf as unknown as OpenApiMetadata["oneOf"] };
}

/** The `pdf` options that finish the whole document after printing (and merging): a PDF output only. */
export const FINISHING_OPTIONS = ["stamps", "encrypt", "sign", "standard", "attachments", "facturx"] as const;

function sourceRules(): OpenApiMetadata {
	const IMAGE = { enum: ["png", "jpeg", "webp"] };
	// The refinements on output: screenshots need an image output; previews and parts need a PDF.
	const present = (key: string) => ({ required: [key], properties: { [key]: {} } });
	// biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords, not a thenable
	const when = (condition: object, consequence: object) => ({ if: condition, then: consequence });
	const rule = (key: string, consequence: object) => when(present(key), consequence);
	const allOf = [
		rule("screenshot", { required: ["output"], properties: { output: IMAGE } }),
		rule("preview", { properties: { output: { const: "pdf" } } }),
		rule("parts", { properties: { output: { const: "pdf" } } }),
		// Finishing options work on a PDF: an image output takes none of them (keyed on output: a rule keyed on
		// pdf would be checked for every body, and slows validation of every request).
		when(
			{ required: ["output"], properties: { output: IMAGE } },
			{ properties: { pdf: { properties: Object.fromEntries(FINISHING_OPTIONS.map((o) => [o, false])) } } },
		),
		// An encrypted PDF gets no preview: the thumbnail would show its first page unencrypted.
		rule("preview", { properties: { pdf: { properties: { encrypt: false } } } }),
	];
	return { ...exactlyOneOf(["url", "html", "template", "markdown", "parts"]), allOf: allOf as unknown as OpenApiMetadata["allOf"] };
}
type OpenApiMetadata = NonNullable<Parameters<z.ZodString["openapi"]>[1]>;

/** The refinement on PageOptions as JSON Schema: with a script wait present, javaScriptEnabled may only be true. */
function scriptWaitRules(): OpenApiMetadata {
	// biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords, not a thenable
	const rule = (key: string) => ({ if: { required: [key], properties: { [key]: {} } }, then: { properties: { javaScriptEnabled: { const: true } } } });
	return { allOf: ["waitForFunction", "waitForWindowStatus"].map(rule) as unknown as OpenApiMetadata["allOf"] };
}

const headerValue = z.string().max(8192).regex(SAFE_TEXT, "must not contain CR, LF or NUL");
const MAX_HEADERS = 50;
export const Headers = z
	.record(z.string().min(1).max(256).regex(HEADER_NAME, "must be a valid HTTP header name"), headerValue)
	.refine((h) => Object.keys(h).length <= MAX_HEADERS, `at most ${MAX_HEADERS} headers`)
	.openapi(keyRules({ minLength: 1, maxLength: 256, pattern: HEADER_NAME.source }, MAX_HEADERS));

/** An absolute http(s) URL; the address policy (URL_NOT_ALLOWED) is checked after validation. */

export const PdfOptions = z
	.strictObject({
		format: z.enum(["Letter", "Legal", "Tabloid", "Ledger", "A0", "A1", "A2", "A3", "A4", "A5", "A6"]).optional(),
		width: cssLength.optional(),
		height: cssLength.optional(),
		landscape: z.boolean().optional(),
		margin: z.strictObject({ top: cssLength.optional(), right: cssLength.optional(), bottom: cssLength.optional(), left: cssLength.optional() }).optional(),
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
		stamps: Stamps.optional(),
		encrypt: EncryptOptions.optional(),
		sign: PdfSign.optional(),
		...finishingFields,
	})
	.openapi("PdfOptions", {
		allOf: [
			// biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords, not a thenable
			{ if: { required: ["encrypt"], properties: { encrypt: {} } }, then: { properties: { sign: false, standard: false } } },
			...pdfOptionRules(),
		] as unknown as OpenApiMetadata["allOf"],
	});

/** A part's own PDF options: what finishes the whole document (metadata, stamps, PDF/A, attachments, encryption, a signature) is the request's alone. */
export const PartPdfOptions = PdfOptions.omit({ metadata: true, stamps: true, encrypt: true, sign: true, standard: true, attachments: true, facturx: true });

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

/** The most a readiness step may wait for the network to be quiet. */
export const MAX_NETWORK_IDLE_MS = 10_000;
/** The defaults of `page.ready`: every step on, 500 ms of network quiet. */
export const READY_DEFAULTS = { lazyLoad: true, images: true, fonts: true, networkIdleMs: 500 } as const;

const readyStep = (description: string) => z.boolean().optional().openapi({ default: true, description });

/** Best-effort readiness steps before printing; `false` turns them all off. Defaults are applied when the job runs, not stored. */
export const Readiness = z
	.union([
		z.strictObject({
			lazyLoad: readyStep("Scroll through the document (at most 100 screens) so lazy images and IntersectionObserver loaders start, then back to the top"),
			images: readyStep("Wait until every <img> is loaded and decoded"),
			fonts: readyStep("Wait for document.fonts.ready"),
			networkIdleMs: z
				.number()
				.int()
				.min(0)
				.max(MAX_NETWORK_IDLE_MS)
				.optional()
				.openapi({ default: READY_DEFAULTS.networkIdleMs, description: "Wait until no request has been in flight for this long (0: skip)" }),
		}),
		z.literal(false),
	])
	.openapi("Readiness", { description: "What the page waits for before it prints, each step best effort within 80% of timeoutMs; false turns every step off" });

/** Checks of what the page did that fail the job with PAGE_CHECK_FAILED, naming the first offender. */
export const FailOn = z
	.strictObject({
		consoleError: z.boolean().optional().openapi({ default: false, description: "A console.error (or a failed console.assert) of the page" }),
		pageError: z.boolean().optional().openapi({ default: false, description: "An uncaught exception or unhandled rejection in the page" }),
		resourceError: z.boolean().optional().openapi({ default: false, description: "A subresource that failed: a network error or an HTTP status >= 400" }),
		blocked: z.boolean().optional().openapi({ default: false, description: "A request the address policy refused" }),
	})
	.openapi("FailOn");

/** A JavaScript expression polled in the page; 2 KiB at most. */
export const MAX_WAIT_EXPRESSION = 2048;

/** The explicit waits that need page script: a request turning JavaScript off cannot ask for them. */
const SCRIPT_WAITS = ["waitForFunction", "waitForWindowStatus"] as const;

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
		ready: Readiness.optional(),
		waitForFunction: z.string().min(1).max(MAX_WAIT_EXPRESSION).optional().openapi({
			description: "A JavaScript expression evaluated in the page until it is truthy (works under a CSP that forbids eval); RENDER_TIMEOUT when it never is",
		}),
		waitForWindowStatus: z
			.string()
			.max(256)
			.optional()
			.openapi({ description: "Wait until window.status equals this value; RENDER_TIMEOUT when it never does" }),
		failOn: FailOn.optional(),
	})
	.superRefine((page, ctx) => {
		if (page.javaScriptEnabled !== false) return;
		for (const wait of SCRIPT_WAITS) {
			if (page[wait] !== undefined) ctx.addIssue({ code: "custom", path: [wait], message: `${wait} runs in the page and needs javaScriptEnabled` });
		}
	})
	.openapi("PageOptions", scriptWaitRules());

export const WebhookRequest = z
	.strictObject({
		url: httpUrl(2048),
		method: z.enum(["POST", "PUT", "PATCH"]).default("POST"),
		headers: Headers.optional(),
	})
	// Inline, not a component: a request-only schema with defaults (see RenderRequest).
	.openapi({ description: "Where to deliver the job's terminal event" });

const MAX_METADATA_KEYS = 16;
export const Metadata = z
	.record(z.string().min(1).max(64), z.string().max(512))
	.refine((m) => Object.keys(m).length <= MAX_METADATA_KEYS, `at most ${MAX_METADATA_KEYS} keys`)
	.openapi("Metadata", keyRules({ minLength: 1, maxLength: 64 }, MAX_METADATA_KEYS));

export const PresignedPutDestination = z
	.strictObject({
		type: z.literal("presigned_put"),
		url: httpUrl(8192).openapi({ description: "A signed PUT URL (S3, R2, GCS, Azure SAS). Its query is never logged or shown." }),
		headers: Headers.optional().openapi({ description: "Sent with the PUT, e.g. Azure's x-ms-blob-type" }),
	})
	.openapi("PresignedPutDestination");

export const S3Destination = z
	.strictObject({
		type: z.literal("s3"),
		destination: z
			.string()
			.regex(DESTINATION_NAME, "must be a saved destination's name")
			.openapi({ description: "Name of a saved destination (PUT /v1/destinations/{name})" }),
		key: z
			.string()
			.min(1)
			.max(MAX_S3_KEY_BYTES, { abort: true })
			.superRefine((key, ctx) => {
				const problem = s3KeyProblem(key);
				if (problem) ctx.addIssue({ code: "custom", message: problem });
			})
			.default("{id}.pdf")
			.openapi({
				pattern: S3_KEY_PATTERN.source,
				description: `Object key; {id}, {filename} and {date} (YYYY-MM-DD, UTC, of the job's creation) expand. At most ${MAX_S3_KEY_BYTES} bytes once expanded; no leading / and no . or .. segment.`,
				example: "invoices/{date}/{id}.pdf",
			}),
	})
	.openapi("S3Destination");

/** Where the PDF is delivered after printing: a presigned URL or a saved S3 destination. */
export const RenderDestination = z.discriminatedUnion("type", [PresignedPutDestination, S3Destination]).openapi("RenderDestination");

/** Markdown, converted to HTML when the render is created (its HTML counts against the request's HTML budget). */
const markdownSource = () =>
	z.string().min(1).max(MAX_HTML_BYTES).optional().openapi({
		description:
			"Markdown (CommonMark with GitHub tables, task lists, strikethrough and autolinks), printed with a built-in print stylesheet. Headings get GitHub's ids; the first # heading is the title (pdf.metadata.title wins). Raw HTML inside is treated as html is",
		example: "# Report\n\n| Item | Qty |\n|---|---|\n| Widget | 2 |\n",
	});

/** One document of a merged render: its own source and options, over the request's `pdf` and `page`. */
export const Part = z
	.strictObject({
		url: httpUrl(8192).optional(),
		html: z.string().min(1).max(MAX_HTML_BYTES).optional(),
		template: TemplateRef.optional(),
		markdown: markdownSource(),
		// The whole document's options (metadata, stamps, encryption) belong to the request's own `pdf`.
		pdf: PartPdfOptions.optional(),
		page: PageOptions.optional(),
	})
	.superRefine((part, ctx) => {
		if ([part.url, part.html, part.template, part.markdown].filter((s) => s !== undefined).length !== 1) {
			ctx.addIssue({ code: "custom", path: ["url"], message: "exactly one of url, html, template or markdown is required" });
		}
	})
	.openapi("Part", exactlyOneOf(["url", "html", "template", "markdown"]));
export type Part = z.infer<typeof Part>;

/** The finishing options of `pdf` that only make sense for a PDF, and what they rule out. */
/** PDF/A embeds every font, and the 14 standard fonts are never embedded: a text stamp must name a tenant family. */
function standardStampFonts(stamps: Stamp[], standard: string, ctx: z.RefinementCtx): void {
	for (const [i, stamp] of stamps.entries()) {
		if (stamp.text === undefined || (stamp.font !== undefined && !isStandardFont(stamp.font))) continue;
		const font = stamp.font ?? DEFAULT_STAMP_FONT;
		ctx.addIssue({
			code: "custom",
			path: ["pdf", "stamps", i, "font"],
			message: `${standard} embeds every font, and ${font} (a standard font) is never embedded: name a font you uploaded`,
		});
	}
}

function finishingRules(body: { output?: string; preview?: unknown; pdf?: PdfOptions }, ctx: z.RefinementCtx): void {
	const pdf = body.pdf;
	if (!pdf) return;
	if ((body.output ?? "pdf") !== "pdf") {
		for (const option of FINISHING_OPTIONS) {
			if (pdf[option] !== undefined) ctx.addIssue({ code: "custom", path: ["pdf", option], message: `pdf.${option} finishes a PDF; output must be pdf` });
		}
	}
	// (The same rules as JSON Schema are on PdfOptions.)
	if (pdf.encrypt && pdf.sign) ctx.addIssue({ code: "custom", path: ["pdf", "encrypt"], message: "encrypt and sign cannot both apply: sign, or encrypt" });
	if (pdf.encrypt && pdf.standard)
		ctx.addIssue({ code: "custom", path: ["pdf", "encrypt"], message: `${pdf.standard} forbids encryption: encrypt, or ask for the standard` });
	for (const issue of finishingIssues(pdf)) ctx.addIssue({ code: "custom", ...issue });
	if (pdf.standard) standardStampFonts(pdf.stamps ?? [], pdf.standard, ctx);
	if (pdf.encrypt && body.preview)
		ctx.addIssue({ code: "custom", path: ["preview"], message: "an encrypted PDF gets no preview: the thumbnail would show its first page to anyone" });
}

export const RenderRequest = z
	.strictObject({
		url: httpUrl(8192).optional(),
		html: z.string().min(1).max(MAX_HTML_BYTES).optional(),
		template: TemplateRef.optional(),
		markdown: markdownSource(),
		parts: z
			.array(Part)
			.min(1)
			.max(MAX_PARTS)
			.optional()
			.openapi({ description: `Up to ${MAX_PARTS} documents printed one by one and merged in order into one PDF` }),
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
		destination: RenderDestination.optional(),
		keepCopy: z.boolean().optional().openapi({ description: "With a destination: also keep edge-pdf's copy and signed link (default false)" }),
	})
	.superRefine((body, ctx) => {
		if ([body.url, body.html, body.template, body.markdown, body.parts].filter((s) => s !== undefined).length !== 1) {
			ctx.addIssue({ code: "custom", path: ["url"], message: "exactly one of url, html, template, markdown or parts is required" });
		}
		if ((body.output ?? "pdf") !== "pdf" && body.parts)
			ctx.addIssue({ code: "custom", path: ["output"], message: "parts are merged into a PDF; output must be pdf" });
		if ((body.output ?? "pdf") === "pdf" && body.screenshot)
			ctx.addIssue({ code: "custom", path: ["screenshot"], message: "screenshot options need output png, jpeg or webp" });
		if ((body.output ?? "pdf") !== "pdf" && body.preview)
			ctx.addIssue({ code: "custom", path: ["preview"], message: "a preview is a thumbnail of a PDF's first page; output must be pdf" });
		finishingRules(body, ctx);
	})
	// Exactly one source, as the refinement above demands. Inline rather than a component, so that
	// generated clients treat fields with defaults (async, expiresIn) as optional request fields.
	.openapi(sourceRules());

export type RenderRequest = z.infer<typeof RenderRequest>;
export type PdfOptions = z.infer<typeof PdfOptions>;
export type PageOptions = z.infer<typeof PageOptions>;
export type Readiness = z.infer<typeof Readiness>;
export type FailOn = z.infer<typeof FailOn>;
export type WebhookRequest = z.infer<typeof WebhookRequest>;
export type RenderDestination = z.infer<typeof RenderDestination>;
