// Stored Liquid templates: POST/GET/PUT/DELETE /v1/templates and POST /v1/templates/{id}/preview.
import { z } from "@hono/zod-openapi";

/** A Durable Object SQLite value holds at most 2 MB; a template is markup, its assets are linked or inlined small. */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;
export const MAX_SAMPLE_DATA_BYTES = 256 * 1024;

const SampleData = z
	.record(z.string(), z.unknown())
	.refine((data) => new TextEncoder().encode(JSON.stringify(data)).byteLength <= MAX_SAMPLE_DATA_BYTES, `at most ${MAX_SAMPLE_DATA_BYTES} bytes as JSON`)
	.openapi({ description: "Data for previews, and for renders that give none" });

/** Sample data as stored (JSON text of a validated SampleData) and shown: an object, read back without the size rule. */
export const StoredSampleData = z.record(z.string(), z.unknown());

export const TemplateName = z
	.string()
	.min(1)
	.max(100)
	.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, dot, dash and underscore; other templates include it by this name");

export const TemplateInput = z
	.strictObject({
		name: TemplateName,
		html: z.string().min(1).max(MAX_TEMPLATE_BYTES).openapi({ description: "Liquid source; output is HTML-escaped unless `| raw`" }),
		sampleData: SampleData.optional(),
	})
	.openapi("TemplateInput");
export type TemplateInput = z.infer<typeof TemplateInput>;

/** PUT: a new version; a name left out stays as it was. */
export const TemplateUpdate = TemplateInput.partial({ name: true }).openapi("TemplateUpdate");
export type TemplateUpdate = z.infer<typeof TemplateUpdate>;

export const TemplateSummary = z
	.object({
		id: z.string().openapi({ example: "tpl_01jd7y3k9q2x4m5n6p7r8s9t0v" }),
		object: z.literal("template"),
		name: z.string(),
		version: z.number().int().openapi({ description: "The latest version" }),
		createdAt: z.string(),
		updatedAt: z.string(),
	})
	.openapi("TemplateSummary");
export type TemplateSummary = z.infer<typeof TemplateSummary>;

export const Template = TemplateSummary.extend({
	html: z.string().openapi({ description: "The source of the version read" }),
	sampleData: StoredSampleData.nullable(),
	versions: z.array(z.number().int()).openapi({ description: "Every stored version; each stays renderable" }),
}).openapi("Template");
export type Template = z.infer<typeof Template>;

export const TemplateList = z.object({ object: z.literal("list"), data: z.array(TemplateSummary), nextCursor: z.string().nullable() }).openapi("TemplateList");

export const TemplatePreviewRequest = z
	.strictObject({
		data: z.record(z.string(), z.unknown()).optional().openapi({ description: "Default: the version's sampleData" }),
		version: z.number().int().min(1).optional(),
		strict: z.boolean().default(false),
	})
	.openapi("TemplatePreviewRequest");
