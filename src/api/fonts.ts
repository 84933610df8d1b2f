// /v1/fonts: a tenant's own font faces. The body of a PUT is the font file itself; it must parse as
// a font (src/fonts/validate.ts) before anything is stored. Renders of the tenant use the families
// by name (src/render/tenant-fonts.ts). Shares the tenant's rate limit with renders.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteFaces, faceView, saveFace } from "../fonts/store";
import { validateFont } from "../fonts/validate";
import { errorResponse } from "../schemas/error";
import { FONT_CONTENT_TYPES, FontDeleteQuery, FontFaceQuery, FontFaceView, FontFamilyParam, FontList } from "../schemas/font";
import { tenantStub } from "../tenants/tenant-object";
import { ApiError } from "./errors";
import { createRouter, fontBody, rateLimit } from "./router";
import type { AppEnv } from "./types";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const unauthorized = errorResponse("Missing or invalid API key", "WWW-Authenticate");
const limited = errorResponse("Too many requests (the tenant's rate limit, shared with renders); see Retry-After", "Retry-After");
const fontFile = Object.fromEntries(FONT_CONTENT_TYPES.map((type) => [type, { schema: z.string().openapi({ format: "binary" }) }]));

const putFont = createRoute({
	method: "put",
	path: "/{family}",
	operationId: "putFont",
	summary: "Upload a font face of a family",
	description:
		"The body is the font file (TrueType, OpenType, WOFF or WOFF2, at most 10 MiB). Creates the face (201) or replaces the same family, weight and style (200). Families are unique per tenant without regard to case; at most 100 faces a tenant. Renders of the tenant can then use the family by name in CSS, header and footer templates included.",
	middleware: [rateLimit, fontBody] as const,
	request: { params: FontFamilyParam, query: FontFaceQuery, body: { content: fontFile, required: true } },
	responses: {
		200: json(FontFaceView, "Replaced the face"),
		201: json(FontFaceView, "Created the face"),
		400: errorResponse("Invalid family, weight or style, or the file is not a font (details say why)"),
		401: unauthorized,
		409: errorResponse("The family exists with another spelling, or the tenant has 100 faces already"),
		413: errorResponse("File larger than 10 MiB"),
		415: errorResponse("Content-Type is not a font type"),
		429: limited,
	},
});

const listFonts = createRoute({
	method: "get",
	path: "/",
	operationId: "listFonts",
	summary: "List the tenant's font faces",
	middleware: [rateLimit] as const,
	responses: { 200: json(FontList, "Every face, by family, weight and style"), 401: unauthorized, 429: limited },
});

const deleteFont = createRoute({
	method: "delete",
	path: "/{family}",
	operationId: "deleteFont",
	summary: "Delete a font family, or one face of it",
	description: "Without `weight` and `style`, every face of the family; with either, that one face (the other at its default, 400 or normal).",
	middleware: [rateLimit] as const,
	request: { params: FontFamilyParam, query: FontDeleteQuery },
	responses: { 204: { description: "Deleted" }, 401: unauthorized, 404: errorResponse("No such family or face"), 429: limited },
});

/** The body, read within the route's limit; then its declared type must be a font's. */
async function fontBytes(c: Context<AppEnv>): Promise<Uint8Array> {
	const bytes = new Uint8Array(await c.req.arrayBuffer());
	const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
	if (!(FONT_CONTENT_TYPES as readonly string[]).includes(type)) {
		throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", `send the font file as one of ${FONT_CONTENT_TYPES.join(", ")}`);
	}
	if (bytes.byteLength === 0)
		throw new ApiError(400, "INVALID_REQUEST", "the body is empty: send the font file", { details: [{ path: "(body)", message: "empty" }] });
	return bytes;
}

export const fonts = createRouter()
	.openapi(putFont, async (c) => {
		const { family } = c.req.valid("param");
		const { weight, style } = c.req.valid("query");
		const bytes = await fontBytes(c);
		const check = validateFont(bytes);
		if (!check.ok)
			throw new ApiError(400, "INVALID_REQUEST", `the file is not a usable font: ${check.reason}`, { details: [{ path: "(body)", message: check.reason }] });
		const saved = await saveFace(c.env, c.var.tenantId, { family, weight, style, format: check.format, bytes });
		if (saved.ok) return saved.created ? c.json(saved.face, 201) : c.json(saved.face, 200);
		if (saved.reason === "spelling")
			throw new ApiError(409, "CONFLICT", `the family exists as "${saved.family}": families are unique without regard to case`, {
				details: [{ path: "family", message: `use "${saved.family}"` }],
			});
		throw new ApiError(409, "CONFLICT", `the tenant has ${saved.limit} font faces, the limit: delete one first`, {
			details: [{ path: "family", message: "too many faces" }],
		});
	})
	.openapi(listFonts, async (c) => {
		const rows = await tenantStub(c.env, c.var.tenantId).listFonts();
		return c.json({ object: "list" as const, data: rows.map(faceView) }, 200);
	})
	.openapi(deleteFont, async (c) => {
		const { family } = c.req.valid("param");
		const { weight, style } = c.req.valid("query");
		const one = weight !== undefined || style !== undefined;
		const removed = await deleteFaces(c.env, c.var.tenantId, family, one ? { weight: weight ?? 400, style: style ?? "normal" } : undefined);
		if (removed.length === 0)
			throw new ApiError(404, "NOT_FOUND", one ? `no face ${weight ?? 400} ${style ?? "normal"} of font family ${family}` : `no font family ${family}`);
		return c.body(null, 204);
	});
