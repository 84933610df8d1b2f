// What POST /v1/renders takes from the tenant's settings: its saved destinations and signing keys,
// checked when the render is created, and its default webhook endpoint for renders that name none.
import { checkDestinationUrl } from "../destinations/saved";
import type { JobRecord } from "../jobs/record";
import type { RenderRequest } from "../schemas/render-request";
import { tenantStub } from "../tenants/tenant-object";
import { newWebhookRecord } from "../jobs/new-record";
import { isExpired } from "../signing/keys";
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

/** 400 for a `pdf.sign` that names no saved signing key, or one whose certificate has expired. */
export async function checkRenderSigningKey(env: Env, tenantId: string, body: RenderRequest): Promise<void> {
	const name = body.pdf?.sign?.key;
	if (name === undefined) return;
	const saved = await tenantStub(env, tenantId).getSigningKey(name);
	const problem = !saved
		? { message: `no signing key named ${name}`, detail: "no such signing key (PUT /v1/signing-keys/{name})" }
		: isExpired(saved.certificate)
			? { message: `the signing key ${name} has expired`, detail: `its certificate was valid until ${saved.certificate.notAfter}` }
			: null;
	if (problem) throw new ApiError(400, "INVALID_REQUEST", problem.message, { details: [{ path: "pdf.sign.key", message: problem.detail }] });
}

/** A render without its own `webhook` gets the tenant's endpoint, as it is at creation (or none). */
export async function applyTenantWebhook(env: Env, record: JobRecord, body: RenderRequest): Promise<void> {
	if (body.webhook) return;
	const saved = await loadEndpoint(env, record.tenantId);
	record.webhook = saved ? newWebhookRecord(saved.endpoint) : null;
}
