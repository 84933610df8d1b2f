// Fair share between tenants: each tenant may have TENANT_MAX_CONCURRENT_RENDERS jobs rendering at
// once (queue and synchronous paths together), and a tenant whose pages recently ran out of time or
// crashed the renderer has its queued jobs moved to the slow lane, a render queue of their own, so
// they cannot hold up the batches everyone else's jobs travel in.

/** Which path asks for a slot: the render queue, the slow-lane queue, or a synchronous request. */
export type Lane = "fast" | "slow" | "sync";

export type SlotGrant =
	| { kind: "granted" }
	/** Over the tenant's cap: try again later, the job stays queued. */
	| { kind: "wait"; retryAfterSeconds: number }
	/** The tenant's pages are slow right now: this job belongs on the slow lane. */
	| { kind: "divert" };

export interface SlotRequest {
	jobId: string;
	/** When the slot lapses if never released: the job's render lease. */
	until: number;
	cap: number;
	lane: Lane;
}

/** How long a tenant stays on the slow lane after one of its pages timed out or crashed. */
export const SLOW_LANE_MS = 2 * 60 * 1000;

/** Seconds before a job over its tenant's cap is tried again: 2-5 s, spread so waiting jobs do not return in step. */
export function slotRetrySeconds(random = Math.random()): number {
	return 2 + Math.floor(random * 4);
}

/** The decision, from what the tenant holds now. */
export function decideSlot(request: SlotRequest, state: { held: boolean; inUse: number; slowUntil: number }, now: number): SlotGrant {
	if (state.held) return { kind: "granted" };
	if (request.lane === "fast" && state.slowUntil > now) return { kind: "divert" };
	if (state.inUse >= request.cap) return { kind: "wait", retryAfterSeconds: slotRetrySeconds() };
	return { kind: "granted" };
}
