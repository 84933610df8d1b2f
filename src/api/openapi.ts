// The OpenAPI document: security scheme, declared response headers, the webhook event, and the two
// public routes that serve the document and its UI. Everything else comes from the routers' createRoute().
import { createRoute, z } from "@hono/zod-openapi";
import { WebhookDeliveryHeaders, WebhookEvent } from "../schemas/webhook-event";
import { RESPONSE_HEADERS, responseHeaders } from "../schemas/headers";
import { VERSION } from "../version";
import type { App } from "./types";

const DESCRIPTION = [
	"HTML/URL-to-PDF rendering on Cloudflare Workers.",
	"",
	"Every error is JSON: `{ error: { code, message, details? } }` with `code` from `ErrorCode`.",
	"A method a path does not support answers 405 `METHOD_NOT_ALLOWED` with an `Allow` header.",
	"Webhook deliveries follow Standard Webhooks 1.0 and can be verified with the `standardwebhooks` package.",
].join("\n");

const documentRoute = createRoute({
	method: "get",
	path: "/openapi.json",
	operationId: "getOpenApiDocument",
	summary: "This OpenAPI 3.1 document",
	security: [],
	responses: {
		200: { description: "The document", content: { "application/json": { schema: z.looseObject({ openapi: z.string() }) } } },
	},
});

const docsRoute = createRoute({
	method: "get",
	path: "/docs",
	operationId: "getDocs",
	summary: "Interactive API reference (HTML)",
	security: [],
	responses: { 200: { description: "An HTML page (a static asset)", headers: responseHeaders("ETag"), content: { "text/html": { schema: z.string() } } } },
});

const renderEvent = {
	method: "post" as const,
	path: "render",
	operationId: "renderEvent",
	summary: "A job reached succeeded, failed or canceled",
	description:
		"Sent once per job to `webhook.url` (retried on WEBHOOK_RETRY_SCHEDULE until a 2xx; 410 stops retrying; Retry-After on 429/503 is honoured). " +
		"Verify `webhook-signature` over `{webhook-id}.{webhook-timestamp}.{raw body}` with the tenant's secret (GET /v1/webhooks/secret).",
	request: { headers: WebhookDeliveryHeaders, body: { content: { "application/json": { schema: WebhookEvent } }, required: true } },
	responses: {
		200: { description: "Any 2xx: delivered" },
		410: { description: "Stop retrying: the webhook is marked failed" },
		429: { description: "Retried after Retry-After (capped at 12 h)", headers: responseHeaders("Retry-After") },
		default: { description: "Anything else, a timeout (15 s) or a network error: retried on the schedule" },
	},
};

/** Adds the document to `app` and describes its UI (served as a static asset by ./pages); call after every router is mounted. */
export function documentApi(app: App): void {
	app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
		type: "http",
		scheme: "bearer",
		description: "An API key: Authorization: Bearer <key>",
	});
	for (const [name, header] of Object.entries(RESPONSE_HEADERS)) app.openAPIRegistry.registerComponent("headers", name, header);
	app.openAPIRegistry.registerWebhook(renderEvent);
	app.openAPIRegistry.registerPath(docsRoute);

	let document: ReturnType<App["getOpenAPI31Document"]> | null = null;
	app.openapi(documentRoute, (c) => {
		// The routes are fixed once the app is built: generate once per isolate.
		document ??= app.getOpenAPI31Document({
			openapi: "3.1.0",
			info: { title: "edge-pdf", version: VERSION, description: DESCRIPTION },
			servers: [{ url: "/" }],
			security: [{ apiKey: [] }],
		});
		return c.json(document, 200);
	});
}
