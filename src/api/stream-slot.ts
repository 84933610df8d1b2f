// The slot an open event stream holds: one of its tenant's MAX_OPEN_STREAMS, a lease in the tenant's
// Durable Object (src/tenants/leases.ts). The stream renews it every round and releases it when it
// ends; a stream whose Worker died stops renewing and its slot lapses STREAM_LEASE_MS later.
import { logError } from "../log";
import { tenantStub } from "../tenants/tenant-object";
import { ApiError } from "./errors";

/** Open event streams one tenant may hold at once. */
export const MAX_OPEN_STREAMS = 20;

/**
 * A stream renews its lease once per round, and a round lasts at most one long poll (KEEP_ALIVE_MS,
 * 10 s) plus its writes. Three rounds' worth lets one slow round pass, and frees a dead stream's slot
 * within 30 s.
 */
export const STREAM_LEASE_MS = 30_000;

export interface StreamSlot {
	/** false: the lease lapsed (the stream stalled) and the slot went to another stream; end this one. */
	renew(): Promise<boolean>;
	release(): Promise<void>;
}

/** Takes a slot, or refuses the stream with 429 before it starts. */
export async function takeStreamSlot(env: Env, tenantId: string): Promise<StreamSlot> {
	const tenant = tenantStub(env, tenantId);
	const holder = crypto.randomUUID();
	const acquire = () => tenant.acquireStreamSlot({ holder, until: Date.now() + STREAM_LEASE_MS, cap: MAX_OPEN_STREAMS });
	const grant = await acquire();
	if (grant.kind !== "granted") {
		const message = `this tenant already has ${MAX_OPEN_STREAMS} open event streams; close one or retry later`;
		throw new ApiError(429, "RATE_LIMITED", message, { headers: { "Retry-After": String(grant.retryAfterSeconds) } });
	}
	return {
		renew: async () => (await acquire()).kind === "granted",
		// A release that fails leaves the lease to lapse on its own.
		release: () => tenant.releaseStreamSlot(holder).catch((err: unknown) => logError({ msg: "stream slot release failed", tenantId, error: String(err) })),
	};
}
