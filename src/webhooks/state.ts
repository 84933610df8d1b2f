// The webhook part of a job record: one attempt series at a time, at most one sender holding it.
import type { JobRecord, WebhookRecord } from "../schemas/job-record";
import { WEBHOOK_TIMEOUT_MS, type Delivery } from "./deliver";
import { decide, type AttemptOutcome, type Decision } from "./policy";

/** Grace beyond the request timeout before an in-flight attempt's sender counts as gone. */
const LEASE_MS = WEBHOOK_TIMEOUT_MS + 15_000;
/** The delivery log keeps the newest attempts across every series. */
const MAX_LOGGED_ATTEMPTS = 100;
/**
 * Attempt series per job: the first delivery plus 4 redeliveries. Each series is up to
 * WEBHOOK_RETRY_SCHEDULE + 1 requests to a caller-chosen URL, so the total stays bounded.
 */
export const MAX_WEBHOOK_SERIES = 5;

/** Which attempt an answer belongs to: its series, and its number within the series (from the `send` turn). */
export interface AttemptId {
	series: number;
	attempt: number;
}

export type WebhookTurn =
	| { kind: "send"; delivery: Delivery; attempt: number }
	| { kind: "busy"; retryAfterSeconds: number }
	/** Nothing to send: delivered, stopped, or superseded by a newer series. */
	| { kind: "done"; deadLetter: boolean };

export type AttemptResult = Decision | { kind: "stale" };

/** The job's webhook if `series` is its current series and its event exists. */
function current(job: JobRecord | null, series: number): WebhookRecord | null {
	const w = job?.webhook;
	return w?.eventId && w.eventBody && w.series === series ? w : null;
}

export function beginAttempt(job: JobRecord | null, series: number, now: number): WebhookTurn {
	const w = current(job, series);
	if (!job || !w || w.status === "delivered") return { kind: "done", deadLetter: false };
	if (w.status === "failed") return { kind: "done", deadLetter: w.exhausted && !w.deadLettered };
	if (w.status === "delivering" && w.leaseUntil !== null && w.leaseUntil > now) {
		return { kind: "busy", retryAfterSeconds: Math.ceil((w.leaseUntil - now) / 1000) };
	}
	w.status = "delivering";
	w.seriesAttempts += 1;
	w.leaseUntil = now + LEASE_MS;
	w.nextAttemptAt = null;
	return {
		kind: "send",
		attempt: w.seriesAttempts,
		delivery: { tenantId: job.tenantId, url: w.url, method: w.method, headers: w.headers, eventId: w.eventId ?? "", body: w.eventBody ?? "" },
	};
}

/**
 * The answer to an attempt. Only the attempt holding the series records it: a later series, an
 * attempt already answered, or one whose lease lapsed and a copy of the message took over (a newer
 * attempt number) is stale, so a late failure cannot set back an attempt still in flight.
 */
export function endAttempt(job: JobRecord | null, id: AttemptId, outcome: AttemptOutcome, schedule: number[], now: number): AttemptResult {
	const w = current(job, id.series);
	if (w?.status !== "delivering" || w.seriesAttempts !== id.attempt) return { kind: "stale" };
	w.attempts.push({
		at: new Date(now - outcome.durationMs).toISOString(),
		httpStatus: outcome.httpStatus,
		durationMs: outcome.durationMs,
		error: outcome.error,
	});
	w.attempts = w.attempts.slice(-MAX_LOGGED_ATTEMPTS);
	w.leaseUntil = null;
	const decision = decide(outcome, w.seriesAttempts, schedule);
	if (decision.kind === "delivered") w.status = "delivered";
	else if (decision.kind === "retry") {
		w.status = "pending";
		w.nextAttemptAt = now + decision.delaySeconds * 1000;
	} else {
		w.status = "failed";
		w.exhausted = decision.kind === "exhausted";
	}
	return decision;
}

/** A manual redelivery: a fresh series for the same event. */
export function restartSeries(w: WebhookRecord): void {
	w.series += 1;
	w.seriesAttempts = 0;
	w.status = "pending";
	w.nextAttemptAt = null;
	w.leaseUntil = null;
	w.exhausted = false;
	w.deadLettered = false;
	w.enqueuePending = true;
}

/** The dead-letter queue received the series: whatever the queue gave up on ends as failed. */
export function markDeadLettered(job: JobRecord | null, series: number): boolean {
	const w = current(job, series);
	if (!w || w.status === "delivered") return false;
	w.status = "failed";
	w.exhausted = true;
	w.deadLettered = true;
	w.leaseUntil = null;
	w.nextAttemptAt = null;
	return true;
}
