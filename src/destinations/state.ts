// The delivery step's state machine, pure: it edits a job record and says what happens next. The
// job stays `rendering` from printing until the destination holds the file (or delivery fails), so
// a retry finds the stored PDF and delivers it without printing again.
import type { JobRecord } from "../schemas/job-record";
import type { DeliveredDestination } from "../schemas/destination";
import type { JobError } from "../schemas/job";

/** Seconds before each delivery retry: 6 tries over about 21 minutes, within the queue's max_retries. */
export const DELIVERY_RETRY_DELAYS = [2, 10, 60, 300, 900];
export const MAX_DELIVERY_TRIES = DELIVERY_RETRY_DELAYS.length + 1;
/** One PUT may take this long (a PDF is at most 100 MiB). */
export const DELIVERY_TIMEOUT_MS = 120_000;
/** Grace beyond a try's timeout, or a retry's due time, before the watchdog steps in. */
export const DELIVERY_LEASE_MARGIN_MS = 60_000;

export type DeliveryOutcome = { ok: true; destination: DeliveredDestination } | { ok: false; transient: boolean; error: JobError };

export type DeliveryTurn = { kind: "deliver" } | { kind: "busy"; retryAfterSeconds: number } | { kind: "fail"; error: JobError };

export type DeliveryDecision =
	| { kind: "delivered" }
	| { kind: "retry"; delaySeconds: number; error: JobError }
	| { kind: "failed"; error: JobError }
	/** No try of this job is running: a late answer from a try the watchdog gave up on. */
	| { kind: "stale" };

const gaveUp = (job: JobRecord): JobError => ({
	code: "DESTINATION_FAILED",
	message: `delivery failed after ${job.delivery?.tries ?? 0} tries: ${job.delivery?.lastError ?? "no try finished"}`,
});

function startTry(job: JobRecord, now: number): void {
	const d = job.delivery!;
	d.tries += 1;
	d.inFlight = true;
	d.nextTryAt = null;
	job.leaseUntil = now + DELIVERY_TIMEOUT_MS + DELIVERY_LEASE_MARGIN_MS;
}

/** The PDF is stored; its first delivery try starts now. The caller checked the job is `rendering`. */
export function beginAfterPrint(job: JobRecord, now: number): void {
	job.delivery = { tries: 0, inFlight: false, nextTryAt: null, result: null, lastError: null };
	startTry(job, now);
}

/** A queue message for a job whose PDF is stored: deliver, wait for the running try, or give up. */
export function beginDelivery(job: JobRecord, now: number): DeliveryTurn {
	const d = job.delivery;
	if (!d) return { kind: "fail", error: { code: "INTERNAL", message: "no delivery is pending" } };
	if (d.inFlight && job.leaseUntil !== null && job.leaseUntil > now) return { kind: "busy", retryAfterSeconds: Math.ceil((job.leaseUntil - now) / 1000) };
	if (d.tries >= MAX_DELIVERY_TRIES) return { kind: "fail", error: gaveUp(job) };
	startTry(job, now);
	return { kind: "deliver" };
}

export function endDelivery(job: JobRecord, outcome: DeliveryOutcome, now: number): DeliveryDecision {
	const d = job.delivery;
	if (!d?.inFlight || job.status !== "rendering") return { kind: "stale" };
	d.inFlight = false;
	if (outcome.ok) {
		d.result = outcome.destination;
		d.lastError = null;
		return { kind: "delivered" };
	}
	d.lastError = outcome.error.message;
	if (!outcome.transient) return { kind: "failed", error: outcome.error };
	if (d.tries >= MAX_DELIVERY_TRIES) return { kind: "failed", error: gaveUp(job) };
	const delaySeconds = DELIVERY_RETRY_DELAYS[d.tries - 1] ?? DELIVERY_RETRY_DELAYS.at(-1) ?? 60;
	d.nextTryAt = now + delaySeconds * 1000;
	// The queue's retry message is due at nextTryAt; the watchdog covers a lost one.
	job.leaseUntil = d.nextTryAt + DELIVERY_LEASE_MARGIN_MS;
	return { kind: "retry", delaySeconds, error: outcome.error };
}

/** The watchdog found the lease lapsed: re-send the job's message, or fail it when tries are used up. */
export function watchDelivery(job: JobRecord, now: number): { kind: "resend" } | { kind: "fail"; error: JobError } {
	const d = job.delivery!;
	if (d.tries >= MAX_DELIVERY_TRIES) return { kind: "fail", error: gaveUp(job) };
	d.inFlight = false;
	job.leaseUntil = now + DELIVERY_LEASE_MARGIN_MS;
	return { kind: "resend" };
}
