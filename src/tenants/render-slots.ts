// Fair share between tenants: each tenant may have TENANT_MAX_CONCURRENT_RENDERS jobs rendering at
// once (queue and synchronous paths together), and a tenant whose pages recently ran out of time or
// crashed the renderer has its queued jobs moved to the slow lane, a render queue of their own, so
// they cannot hold up the batches everyone else's jobs travel in.
import { decideLease, type LeaseGrant, type LeaseState } from "./leases";

/** Which path asks for a slot: the render queue, the slow-lane queue, or a synchronous request. */
export type Lane = "fast" | "slow" | "sync";

export type SlotGrant =
	/** `wait`: over the tenant's cap, try again later, the job stays queued. */
	| LeaseGrant
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

/** The decision, from what the tenant holds now: a slot is a lease in the `render` pool, plus the lanes. */
export function decideSlot(request: SlotRequest, state: LeaseState & { slowUntil: number }, now: number): SlotGrant {
	if (!state.held && request.lane === "fast" && state.slowUntil > now) return { kind: "divert" };
	return decideLease(state, request.cap);
}
