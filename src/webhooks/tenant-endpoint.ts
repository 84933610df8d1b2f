// The tenant's default webhook endpoint: sealed at rest (its headers may carry tokens),
// copied into each render that names no webhook of its own, and the target of test events.
import { log } from "../log";
import { parseStored } from "../schemas/stored";
import { EVENT_TYPES, type WebhookEndpoint, WebhookEndpointInput, type WebhookTestResult } from "../schemas/tenant-webhook";
import { open, seal } from "../security/secret-box";
import { tenantStub } from "../tenants/tenant-object";
import { attemptDelivery } from "./deliver";

const CONTEXT = "webhook-endpoint";

export async function saveEndpoint(env: Env, tenantId: string, input: WebhookEndpointInput): Promise<void> {
	await tenantStub(env, tenantId).putWebhookEndpoint(await seal(env, tenantId, CONTEXT, JSON.stringify(input)));
}

export async function loadEndpoint(env: Env, tenantId: string): Promise<{ endpoint: WebhookEndpointInput; updatedAt: number } | null> {
	const row = await tenantStub(env, tenantId).getWebhookEndpoint();
	if (!row) return null;
	// Stored as PUT took it, so it is read back through the same schema; anything else throws CorruptedStore.
	const endpoint = parseStored(WebhookEndpointInput, "webhook endpoint", await open(env, tenantId, CONTEXT, row.sealed));
	return { endpoint, updatedAt: row.updatedAt };
}

/** What GET shows: header names only, since their values are often credentials. */
export function endpointView(endpoint: WebhookEndpointInput, updatedAt: number): WebhookEndpoint {
	return {
		object: "webhook_endpoint",
		url: endpoint.url,
		method: endpoint.method,
		headerNames: Object.keys(endpoint.headers ?? {}),
		events: endpoint.events ?? [...EVENT_TYPES],
		updatedAt: new Date(updatedAt).toISOString(),
	};
}

/** One signed `webhook.test` event, sent now and never retried; its attempt is the answer. */
export async function sendTestEvent(
	env: Env,
	tenantId: string,
	target: { url: string; method: string; headers: Record<string, string> },
	now = new Date(),
): Promise<WebhookTestResult> {
	const eventId = `evt_test_${crypto.randomUUID().replaceAll("-", "")}`;
	const body = JSON.stringify({
		type: "webhook.test",
		timestamp: now.toISOString(),
		data: { tenantId, message: "A test event from edge-pdf: your endpoint received and can verify our webhooks." },
	});
	const outcome = await attemptDelivery(env, { tenantId, url: target.url, method: target.method, headers: target.headers, eventId, body });
	// The URL is not logged: its query may be a credential.
	log({ msg: "webhook test", tenantId, eventId, httpStatus: outcome.httpStatus, durationMs: outcome.durationMs, error: outcome.error });
	return { httpStatus: outcome.httpStatus, durationMs: outcome.durationMs, error: outcome.error };
}
