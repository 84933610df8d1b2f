// /v1/templates: the tenant's Liquid templates. Syntax is checked on every save (400 TEMPLATE_ERROR
// naming the line); each PUT adds a version and old versions stay renderable; preview renders a
// version with its sample data (or the given data) synchronously, as a render job of its own.
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponse } from "../schemas/error";
import { TEMPLATE_ID } from "../schemas/outputs";
import { RenderRequest } from "../schemas/render-request";
import { parseStored } from "../schemas/stored";
import { StoredSampleData, Template, TemplateInput, TemplateList, TemplatePreviewRequest, TemplateUpdate } from "../schemas/template";
import { checkSyntax, TemplateError } from "../templates/liquid";
import { templateStub, type SaveResult, type StoredTemplate } from "../templates/template-object";
import { createRenderJob } from "./create-render";
import { ApiError } from "./errors";
import { jsonResponse, unauthorized } from "./responses";
import { createRouter, documentBody, rateLimit, requireJson } from "./router";

const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "tpl_01jd7y3k9q2x4m5n6p7r8s9t0v" }) });
const VersionQuery = z.object({ version: z.coerce.number().int().min(1).optional().openapi({ description: "Default: the latest" }) });
const notFoundResponse = errorResponse("No such template (or version) for this tenant");

const createTemplate = createRoute({
	method: "post",
	path: "/",
	operationId: "createTemplate",
	summary: "Store a template (version 1)",
	middleware: [documentBody, requireJson] as const,
	request: { body: { content: { "application/json": { schema: TemplateInput } }, required: true } },
	responses: {
		201: jsonResponse("The template", Template),
		400: errorResponse("Invalid request, or TEMPLATE_ERROR: a Liquid syntax error, naming the line"),
		401: unauthorized,
		409: errorResponse("Another template of this tenant has that name"),
		413: errorResponse("Body larger than 10 MiB"),
	},
});

const listTemplates = createRoute({
	method: "get",
	path: "/",
	operationId: "listTemplates",
	summary: "List the tenant's templates by name",
	request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50), cursor: z.string().max(100).optional() }) },
	responses: { 200: jsonResponse("A page of templates", TemplateList), 400: errorResponse("Invalid query"), 401: unauthorized },
});

const getTemplate = createRoute({
	method: "get",
	path: "/{id}",
	operationId: "getTemplate",
	summary: "Read a template (the latest version, or ?version=)",
	request: { params: IdParam, query: VersionQuery },
	responses: { 200: jsonResponse("The template", Template), 401: unauthorized, 404: notFoundResponse },
});

const updateTemplate = createRoute({
	method: "put",
	path: "/{id}",
	operationId: "updateTemplate",
	summary: "Save a new version of a template",
	middleware: [documentBody, requireJson] as const,
	request: { params: IdParam, body: { content: { "application/json": { schema: TemplateUpdate } }, required: true } },
	responses: {
		200: jsonResponse("The template at its new version", Template),
		400: errorResponse("Invalid request, or TEMPLATE_ERROR naming the line"),
		401: unauthorized,
		404: notFoundResponse,
		409: errorResponse("Another template of this tenant has that name"),
		413: errorResponse("Body larger than 10 MiB"),
	},
});

const deleteTemplate = createRoute({
	method: "delete",
	path: "/{id}",
	operationId: "deleteTemplate",
	summary: "Delete a template and all its versions",
	description: "Renders already accepted are unaffected: their template was rendered when they were created.",
	request: { params: IdParam },
	responses: {
		200: jsonResponse("Deleted", z.object({ id: z.string(), object: z.literal("template"), deleted: z.literal(true) }).openapi("TemplateDeleted")),
		401: unauthorized,
		404: notFoundResponse,
	},
});

const previewTemplate = createRoute({
	method: "post",
	path: "/{id}/preview",
	operationId: "previewTemplate",
	summary: "Render a template version to PDF now, with its sample data or the given data",
	description:
		"A synchronous render (it is recorded as a render job; see the Render-Id header), counted against the tenant's rate limit for creating renders. Without `version` it renders the latest of the template and of everything it includes; with one, its includes as they were when that version was saved.",
	middleware: [rateLimit, documentBody, requireJson] as const,
	request: { params: IdParam, body: { content: { "application/json": { schema: TemplatePreviewRequest } }, required: true } },
	responses: {
		200: { description: "The PDF", content: { "application/pdf": { schema: z.string().openapi({ format: "binary" }) } } },
		400: errorResponse("Invalid request, or TEMPLATE_ERROR naming the line"),
		401: unauthorized,
		413: errorResponse("Body larger than 10 MiB, or the job's options (headers, cookies, page templates) larger than 1 MiB"),
		429: errorResponse(
			"Too many renders created (the same per-tenant limit as POST /v1/renders), or the tenant's concurrent render cap is reached; see Retry-After",
			"Retry-After",
		),
	},
});

function notFound(id: string): ApiError {
	return new ApiError(404, "NOT_FOUND", `no template ${id}`);
}

/** 400 TEMPLATE_ERROR naming the line, before anything is stored. */
function requireValidSyntax(html: string | undefined): void {
	if (html === undefined) return;
	try {
		checkSyntax(html);
	} catch (err) {
		if (err instanceof TemplateError)
			throw new ApiError(400, "TEMPLATE_ERROR", `the template has a syntax error at ${err.message}`, { details: [{ path: "html", message: err.message }] });
		throw err;
	}
}

/** Sample data crosses the Durable Object boundary as JSON text; text that is not an object throws CorruptedStore (a 500). */
function parseSample(json: string | null): Record<string, unknown> | null {
	return json === null ? null : parseStored(StoredSampleData, "template sample data", json);
}

function view(stored: StoredTemplate): Template {
	const { sampleDataJson, ...template } = stored;
	return { ...template, sampleData: parseSample(sampleDataJson) };
}

function saved(result: SaveResult, id: string): Template {
	if (result.ok) return view(result.template);
	if (result.reason === "missing") throw notFound(id);
	throw new ApiError(409, "CONFLICT", "another template of this tenant has that name", { details: [{ path: "name", message: "already used" }] });
}

const isTemplateId = (id: string) => TEMPLATE_ID.test(id);

export const templates = createRouter()
	.openapi(createTemplate, async (c) => {
		const body = c.req.valid("json");
		requireValidSyntax(body.html);
		return c.json(saved(await templateStub(c.env, c.var.tenantId).create(body), ""), 201);
	})
	.openapi(listTemplates, async (c) => {
		const { limit, cursor } = c.req.valid("query");
		const page = await templateStub(c.env, c.var.tenantId).list(limit, cursor);
		return c.json({ object: "list" as const, ...page }, 200);
	})
	.openapi(getTemplate, async (c) => {
		const { id } = c.req.valid("param");
		const found = isTemplateId(id) ? await templateStub(c.env, c.var.tenantId).read(id, c.req.valid("query").version) : null;
		if (!found) throw notFound(id);
		return c.json(view(found), 200);
	})
	.openapi(updateTemplate, async (c) => {
		const { id } = c.req.valid("param");
		const body = c.req.valid("json");
		if (!isTemplateId(id)) throw notFound(id);
		requireValidSyntax(body.html);
		return c.json(saved(await templateStub(c.env, c.var.tenantId).update(id, body), id), 200);
	})
	.openapi(deleteTemplate, async (c) => {
		const { id } = c.req.valid("param");
		const removed = isTemplateId(id) && (await templateStub(c.env, c.var.tenantId).remove(id));
		if (!removed) throw notFound(id);
		return c.json({ id, object: "template" as const, deleted: true as const }, 200);
	})
	.openapi(previewTemplate, async (c) => {
		const { id } = c.req.valid("param");
		const { data, version, strict } = c.req.valid("json");
		const found = isTemplateId(id) ? await templateStub(c.env, c.var.tenantId).source(id, version) : null;
		if (!found) throw notFound(id);
		const sample = parseSample(found.sampleDataJson) ?? {};
		const body = RenderRequest.parse({
			// Pinned only when asked for a version: a preview of the latest shows the latest includes too.
			template: { id, version, data: data ?? sample, strict },
			async: false,
			filename: `${found.name}-v${found.version}.pdf`,
		});
		return createRenderJob(c, body, undefined);
	});
