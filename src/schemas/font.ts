// Tenant fonts: PUT/GET/DELETE /v1/fonts. A face is a family, a weight and a style; its bytes are
// the request body (a font file, checked by src/fonts/validate.ts), so only the query is a schema.
import { z } from "@hono/zod-openapi";

/** Letters, digits, space, _ and -: a name CSS and the header/footer scan can match without escaping. */
export const FONT_FAMILY = /^[A-Za-z0-9 _-]{1,64}$/;
export const MAX_FONT_BYTES = 10 * 1024 * 1024;
export const MAX_FACES_PER_TENANT = 100;

export const FONT_CONTENT_TYPES = ["font/woff2", "font/woff", "font/ttf", "font/otf", "application/octet-stream"] as const;

export const FontStyle = z.enum(["normal", "italic"]);
export type FontStyle = z.infer<typeof FontStyle>;
export const FontFormat = z.enum(["ttf", "otf", "woff", "woff2"]);

export const FontFamilyParam = z.object({
	family: z
		.string()
		.regex(FONT_FAMILY, "1 to 64 letters, digits, spaces, _ and -")
		.openapi({ param: { name: "family", in: "path" }, example: "Acme Sans" }),
});

const weight = z.coerce.number().int("a whole number").min(100, "at least 100").max(900, "at most 900");
/** The query's weight as OpenAPI states it (a coerced number would otherwise lose its bounds there). */
const weightParam = { param: { name: "weight", in: "query" as const }, type: "integer" as const, minimum: 100, maximum: 900, example: 400 };
const style = FontStyle.openapi({ param: { name: "style", in: "query" }, example: "normal" });

/** PUT: which face of the family the file is; 400 normal unless given. */
export const FontFaceQuery = z.strictObject({ weight: weight.default(400).openapi({ ...weightParam, default: 400 }), style: style.default("normal") });

/** DELETE: without either, the whole family; with one or both, that face (the other at its default, 400 or normal). */
export const FontDeleteQuery = z.strictObject({ weight: weight.optional().openapi(weightParam), style: style.optional() });

export const FontFaceView = z
	.object({
		family: z.string().openapi({ example: "Acme Sans" }),
		weight: z.number().int().openapi({ example: 400 }),
		style: FontStyle,
		format: FontFormat,
		sizeBytes: z.number().int(),
		sha256: z.string().openapi({ description: "Hex SHA-256 of the file as uploaded" }),
		createdAt: z.string().openapi({ format: "date-time", description: "When this file was saved (a replaced face gets the time of its new file)" }),
	})
	.openapi("FontFace");
export type FontFaceView = z.infer<typeof FontFaceView>;

export const FontList = z.object({ object: z.literal("list"), data: z.array(FontFaceView) }).openapi("FontList");
