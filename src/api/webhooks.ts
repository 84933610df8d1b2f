// /v1/webhooks: the calling tenant's signing secret (to verify our Standard Webhooks signatures),
// its default endpoint, and a signed `webhook.test` event on demand (rate-limited, never retried).
import { createRoute, z } from "@hono/zod-openapi";
import { config } from "../config";
import { errorResponse } from "../schemas/error";
import { WebhookEndpoint, WebhookEndpointInput, WebhookTestInput, WebhookTestResult } from "../schemas/tenant-webhook";
import { checkUrl } from "../security/url-policy";
import { tenantStub } from "../tenants/tenant-object";
import { tenantWebhookSecret } from "../webhooks/signing";
import { endpointView, loadEndpoint, saveEndpoint, sendTestEvent } from "../webhooks/tenant-endpoint";
import { ApiError } from "./errors";
import { jsonResponse, unauthorized } from "./responses";
import { createRouter, requireJson, settingsBody } from "./router";

const noEndpoint = errorResponse("The tenant has no webhook endpoint");

const getSecret = createRoute({
	method: "get",
	path: "/secret",
	operationId: "getWebhookSecret",
	summary: "The webhook signing secret of the calling tenant",
	responses: {
		200: {
			description: "A `whsec_` secret for the standardwebhooks libraries",
			content: { "application/json": { schema: z.object({ secret: z.string().openapi({ example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }) }) } },
		},
		401: unauthorized,
		500: errorResponse("Internal error"),
	},
});

const putEndpoint = createRoute({
	method: "put",
	path: "/endpoint",
	operationId: "putWebhookEndpoint",
	summary: "Set the tenant's default webhook endpoint",
	description: "Renders created without `webhook` send their events here; `events` filters by type. Header values are stored encrypted and not shown again.",
	middleware: [settingsBody, requireJson] as const,
	request: { body: { content: { "application/json": { schema: WebhookEndpointInput } }, required: true } },
	responses: {
		200: jsonResponse("The endpoint", WebhookEndpoint),
		400: errorResponse("Invalid body, or URL_NOT_ALLOWED"),
		401: unauthorized,
		413: errorResponse("Body larger than 64 KiB"),
		415: errorResponse("Body is not JSON"),
	},
});

const getEndpoint = createRoute({
	method: "get",
	path: "/endpoint",
	operationId: "getWebhookEndpoint",
	summary: "Read the tenant's default webhook endpoint",
	responses: { 200: jsonResponse("The endpoint", WebhookEndpoint), 401: unauthorized, 404: noEndpoint },
});

const deleteEndpoint = createRoute({
	method: "delete",
	path: "/endpoint",
	operationId: "deleteWebhookEndpoint",
	summary: "Remove the tenant's default webhook endpoint",
	description: "Renders already created keep the endpoint they were created with.",
	responses: { 204: { description: "Removed" }, 401: unauthorized, 404: noEndpoint },
});

const testEvent = createRoute({
	method: "post",
	path: "/test",
	operationId: "sendTestWebhook",
	summary: "Send a signed webhook.test event now",
	description: "To `url`, else the tenant's endpoint. One attempt, never retried; the answer is that attempt. At most 5 per minute.",
	middleware: [settingsBody, requireJson] as const,
	request: { body: { content: { "application/json": { schema: WebhookTestInput } }, required: true } },
	responses: {
		200: {
			description: "The attempt (a failed delivery is reported here, not as an error status)",
			content: { "application/json": { schema: WebhookTestResult } },
		},
		400: errorResponse("Invalid body, URL_NOT_ALLOWED, or no url and no tenant endpoint"),
		401: unauthorized,
		413: errorResponse("Body larger than 64 KiB"),
		415: errorResponse("Body is not JSON"),
		429: errorResponse("Too many test events; see Retry-After", "Retry-After"),
	},
});

/** URL_NOT_ALLOWED outside the address policy; https only outside local development, as for `webhook.url`. */
function checkHookUrl(env: Env, url: string, path: string): void {
	const { allowPrivateNetwork } = config(env);
	const verdict = checkUrl(url, { allowPrivateNetwork, requireHttps: !allowPrivateNetwork });
	if (!verdict.ok) throw new ApiError(400, "URL_NOT_ALLOWED", `${path} is not allowed: ${verdict.reason}`, { details: [{ path, message: verdict.reason }] });
}

export const webhooks = createRouter()
	.openapi(getSecret, async (c) => c.json({ secret: await tenantWebhookSecret(c.env.SIGNING_SECRET, c.var.tenantId) }, 200))
	.openapi(putEndpoint, async (c) => {
		const input = c.req.valid("json");
		checkHookUrl(c.env, input.url, "url");
		await saveEndpoint(c.env, c.var.tenantId, input);
		return c.json(endpointView(input, Date.now()), 200);
	})
	.openapi(getEndpoint, async (c) => {
		const saved = await loadEndpoint(c.env, c.var.tenantId);
		if (!saved) throw new ApiError(404, "NOT_FOUND", "no webhook endpoint is set");
		return c.json(endpointView(saved.endpoint, saved.updatedAt), 200);
	})
	.openapi(deleteEndpoint, async (c) => {
		if (!(await tenantStub(c.env, c.var.tenantId).deleteWebhookEndpoint())) throw new ApiError(404, "NOT_FOUND", "no webhook endpoint is set");
		return c.body(null, 204);
	})
	.openapi(testEvent, async (c) => {
		const { url } = c.req.valid("json");
		const tenantId = c.var.tenantId;
		const saved = url === undefined ? await loadEndpoint(c.env, tenantId) : null;
		const target =
			url !== undefined
				? { url, method: "POST", headers: {} }
				: saved && { url: saved.endpoint.url, method: saved.endpoint.method, headers: saved.endpoint.headers ?? {} };
		if (!target)
			throw new ApiError(400, "INVALID_REQUEST", "give a url, or set a webhook endpoint first (PUT /v1/webhooks/endpoint)", {
				details: [{ path: "url", message: "required without a tenant endpoint" }],
			});
		checkHookUrl(c.env, target.url, "url");
		const wait = await tenantStub(c.env, tenantId).takeWebhookTest();
		if (wait !== null) throw new ApiError(429, "RATE_LIMITED", "too many test events; retry later", { headers: { "Retry-After": String(wait) } });
		return c.json(await sendTestEvent(c.env, tenantId, target), 200);
	});
