// /v1/destinations: a tenant's saved S3-compatible destinations. Secrets are accepted,
// sealed and never returned; endpoints obey the address policy when saved and when used.
import { createRoute, z } from "@hono/zod-openapi";
import { checkDestination, checkDestinationUrl, destinationView, loadDestination, saveDestination } from "../destinations/saved";
import { DESTINATION_NAME, DestinationCheck, SavedDestination, SavedDestinationInput } from "../schemas/destination";
import { errorResponse } from "../schemas/error";
import { tenantStub } from "../tenants/tenant-object";
import { ApiError } from "./errors";
import { jsonResponse, unauthorized } from "./responses";
import { createRouter, requireJson, settingsBody } from "./router";

const NameParam = z.object({
	name: z
		.string()
		.regex(DESTINATION_NAME, "letters, digits, _ and -, at most 64")
		.openapi({ param: { name: "name", in: "path" }, example: "invoices-r2" }),
});
const missing = errorResponse("No saved destination by that name");

const putDestination = createRoute({
	method: "put",
	path: "/{name}",
	operationId: "putDestination",
	summary: "Save an S3-compatible destination",
	description: "Creates (201) or replaces (200) it. The secret access key is stored encrypted and never returned.",
	middleware: [settingsBody, requireJson] as const,
	request: { params: NameParam, body: { content: { "application/json": { schema: SavedDestinationInput } }, required: true } },
	responses: {
		200: jsonResponse("Replaced", SavedDestination),
		201: jsonResponse("Created", SavedDestination),
		400: errorResponse("Invalid body, or URL_NOT_ALLOWED for the endpoint"),
		401: unauthorized,
		413: errorResponse("Body larger than 64 KiB"),
		415: errorResponse("Body is not JSON"),
	},
});

const listDestinations = createRoute({
	method: "get",
	path: "/",
	operationId: "listDestinations",
	summary: "List the tenant's saved destinations",
	responses: {
		200: jsonResponse("The saved destinations, by name", z.object({ object: z.literal("list"), data: z.array(SavedDestination) }).openapi("DestinationList")),
		401: unauthorized,
	},
});

const getDestination = createRoute({
	method: "get",
	path: "/{name}",
	operationId: "getDestination",
	summary: "Read a saved destination (without its secret)",
	request: { params: NameParam },
	responses: { 200: jsonResponse("The destination", SavedDestination), 401: unauthorized, 404: missing },
});

const deleteDestination = createRoute({
	method: "delete",
	path: "/{name}",
	operationId: "deleteDestination",
	summary: "Delete a saved destination",
	description: "Renders still waiting to deliver to it fail with DESTINATION_FAILED.",
	request: { params: NameParam },
	responses: { 204: { description: "Deleted" }, 401: unauthorized, 404: missing },
});

const checkRoute = createRoute({
	method: "post",
	path: "/{name}/check",
	operationId: "checkDestination",
	summary: "Write and delete a small probe object",
	description:
		"Answers 200 with the outcome of both requests; `ok` is true when both succeeded. Each request waits at most 15 s. At most 5 checks per minute per tenant.",
	request: { params: NameParam },
	responses: {
		200: jsonResponse("The probe's outcome", DestinationCheck),
		401: unauthorized,
		404: missing,
		429: errorResponse("Too many checks; see Retry-After", "Retry-After"),
	},
});

const notFound = (name: string) => new ApiError(404, "NOT_FOUND", `no saved destination ${name}`);

export const destinations = createRouter()
	.openapi(putDestination, async (c) => {
		const { name } = c.req.valid("param");
		const input = c.req.valid("json");
		const verdict = checkDestinationUrl(c.env, input.endpoint);
		if (!verdict.ok)
			throw new ApiError(400, "URL_NOT_ALLOWED", `endpoint is not allowed: ${verdict.reason}`, { details: [{ path: "endpoint", message: verdict.reason }] });
		const { created, view } = await saveDestination(c.env, c.var.tenantId, name, input);
		return created ? c.json(view, 201) : c.json(view, 200);
	})
	.openapi(listDestinations, async (c) => {
		const rows = await tenantStub(c.env, c.var.tenantId).listDestinations();
		return c.json({ object: "list" as const, data: rows.map(destinationView) }, 200);
	})
	.openapi(getDestination, async (c) => {
		const { name } = c.req.valid("param");
		const row = await tenantStub(c.env, c.var.tenantId).getDestination(name);
		if (!row) throw notFound(name);
		return c.json(destinationView(row), 200);
	})
	.openapi(deleteDestination, async (c) => {
		const { name } = c.req.valid("param");
		if (!(await tenantStub(c.env, c.var.tenantId).deleteDestination(name))) throw notFound(name);
		return c.body(null, 204);
	})
	.openapi(checkRoute, async (c) => {
		const { name } = c.req.valid("param");
		const saved = await loadDestination(c.env, c.var.tenantId, name);
		if (!saved) throw notFound(name);
		const wait = await tenantStub(c.env, c.var.tenantId).takeDestinationCheck();
		if (wait !== null) throw new ApiError(429, "RATE_LIMITED", "too many destination checks; retry later", { headers: { "Retry-After": String(wait) } });
		return c.json(await checkDestination(c.env, saved), 200);
	});
