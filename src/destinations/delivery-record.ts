// What a job record holds about its delivery step (issue #16). Kept apart from the state machine
// (state.ts) so that jobs/record.ts can name the type without importing behaviour.
import type { DeliveredDestination } from "../schemas/destination";

export interface DeliveryState {
	/** Delivery tries started so far (the first runs right after printing). */
	tries: number;
	/** A try is running; its lease is the job's `leaseUntil`. */
	inFlight: boolean;
	/** When the queued retry is due; the watchdog fires a margin after it. */
	nextTryAt: number | null;
	/** Set once the destination holds the file. */
	result: DeliveredDestination | null;
	lastError: string | null;
}
