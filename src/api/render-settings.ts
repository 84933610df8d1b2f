// What POST /v1/renders takes from the tenant's settings: its saved destinations, checked
// when the render is created, and its default webhook endpoint for renders that name none.
import { checkDestinationUrl } from "../destinations/saved";
import type { JobRecord } from "../jobs/record";
import type { RenderRequest } from "../schemas/render-request";
import { tenantStub } from "../tenants/tenant-object";
import { newWebhookRecord } from "../jobs/new-record";
import { loadEndpoint } from "../webhooks/tenant-endpoint";
import { ApiError } from "./errors";

/** 400 URL_NOT_ALLOWED for a destination outside the address policy; 400 for an unknown saved destination. */
export async function checkRenderDestination(env: Env, tenantId: string, body: RenderRequest): Promise<void> {
	const dest = body.destination;
	if (!dest) return;
	const refuse = (path: string, reason: string) =>
		new ApiError(400, "URL_NOT_ALLOWED", `${path} is not allowed: ${reason}`, { details: [{ path, message: reason }] });
	if (dest.type === "presigned_put") {
		const verdict = checkDestinationUrl(env, dest.url);
		// The reason names the host at most, never the URL's signed query.
		if (!verdict.ok) throw refuse("destination.url", verdict.reason);
		return;
	}
	const saved = await tenantStub(env, tenantId).getDestination(dest.destination);
	if (!saved)
		throw new ApiError(400, "INVALID_REQUEST", `no saved destination named ${dest.destination}`, {
			details: [{ path: "destination.destination", message: "no such saved destination (PUT /v1/destinations/{name})" }],
		});
	const verdict = checkDestinationUrl(env, saved.config.endpoint);
	if (!verdict.ok) throw refuse("destination.destination", `its endpoint: ${verdict.reason}`);
}

/** A render without its own `webhook` gets the tenant's endpoint, as it is at creation (or none). */
export async function applyTenantWebhook(env: Env, record: JobRecord, body: RenderRequest): Promise<void> {
	if (body.webhook) return;
	const saved = await loadEndpoint(env, record.tenantId);
	record.webhook = saved ? newWebhookRecord(saved.endpoint) : null;
}
