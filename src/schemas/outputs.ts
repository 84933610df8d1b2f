// The request fields for more inputs and outputs: image outputs,
// a first-page preview, PDF metadata, stored templates with data, and merged parts.
import { z } from "@hono/zod-openapi";

export const OUTPUTS = ["pdf", "png", "jpeg", "webp"] as const;
export const Output = z.enum(OUTPUTS).openapi({ description: "What to render: a PDF (default) or a screenshot" });
export type Output = z.infer<typeof Output>;
export type ImageFormat = Exclude<Output, "pdf">;

export const CONTENT_TYPES = { pdf: "application/pdf", png: "image/png", jpeg: "image/jpeg", webp: "image/webp" } as const satisfies Record<Output, string>;
export type ContentType = (typeof CONTENT_TYPES)[Output];
export type ImageContentType = (typeof CONTENT_TYPES)[ImageFormat];
export const IMAGE_CONTENT_TYPES = ["image/png", "image/jpeg", "image/webp"] as const satisfies readonly ImageContentType[];
export const CONTENT_TYPE_VALUES = ["application/pdf", ...IMAGE_CONTENT_TYPES] as const satisfies readonly ContentType[];

/** Chrome's captureScreenshot refuses surfaces past 16384 px a side. */
const MAX_CLIP = 16384;

export const ScreenshotOptions = z
	.strictObject({
		fullPage: z.boolean().optional().openapi({ description: "The whole scrollable page instead of the viewport" }),
		clip: z
			.strictObject({
				x: z.number().min(0).max(MAX_CLIP),
				y: z.number().min(0).max(MAX_CLIP),
				width: z.number().min(1).max(MAX_CLIP),
				height: z.number().min(1).max(MAX_CLIP),
			})
			.optional(),
		omitBackground: z.boolean().optional().openapi({ description: "Transparent background (png, webp)" }),
		quality: z.number().int().min(0).max(100).optional().openapi({ description: "jpeg and webp only" }),
	})
	.openapi("ScreenshotOptions");
export type ScreenshotOptions = z.infer<typeof ScreenshotOptions>;

export const MAX_PREVIEW_WIDTH = 1200;

export const PreviewOptions = z
	.strictObject({
		format: z.enum(["png", "webp", "jpeg"]).default("png"),
		width: z.number().int().min(16).max(MAX_PREVIEW_WIDTH).default(400),
		quality: z.number().int().min(0).max(100).optional().openapi({ description: "jpeg and webp only" }),
	})
	.openapi("PreviewOptions");
export type PreviewOptions = z.infer<typeof PreviewOptions>;

const metaText = z.string().max(1000);

export const PdfMetadata = z
	.strictObject({
		title: metaText.optional().openapi({ description: "Default: the document's <title>, else the filename without .pdf" }),
		author: metaText.optional(),
		subject: metaText.optional(),
		keywords: z.array(z.string().min(1).max(200)).max(50).optional(),
		creator: metaText.optional(),
		language: z
			.string()
			.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, "must be a BCP 47 language tag like en or de-CH")
			.max(35)
			.optional(),
	})
	.openapi("PdfMetadata");
export type PdfMetadata = z.infer<typeof PdfMetadata>;

export const TEMPLATE_ID = /^tpl_[0-9a-hjkmnp-tv-z]{26}$/;

export const TemplateRef = z
	.strictObject({
		id: z.string().regex(TEMPLATE_ID, "must be a template id (tpl_…)"),
		version: z.number().int().min(1).optional().openapi({ description: "Default: the latest version" }),
		data: z.record(z.string(), z.unknown()).default({}),
		strict: z.boolean().default(false).openapi({ description: "An undefined variable is a TEMPLATE_ERROR instead of empty output" }),
	})
	.openapi("TemplateRef");
export type TemplateRef = z.infer<typeof TemplateRef>;

export const MAX_PARTS = 20;
