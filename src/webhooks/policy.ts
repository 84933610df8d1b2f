// What happens after a webhook attempt, as one pure function: a 2xx is delivered, a 410 stops, and
// any other answer or error is retried on the schedule (a 429 or 503 after its Retry-After instead)
// until the schedule is used up and the event goes to the dead-letter queue.
import { clampDelay } from "../config";

export interface AttemptOutcome {
	httpStatus: number | null;
	durationMs: number;
	error: string | null;
	/** Retry-After of a 429/503 answer, in seconds. */
	retryAfterSeconds: number | null;
}

export type Decision =
	| { kind: "delivered" }
	| { kind: "retry"; delaySeconds: number }
	/** 410 Gone: the receiver asked us to stop. */
	| { kind: "gone" }
	/** The schedule is used up: the event goes to the dead-letter queue. */
	| { kind: "exhausted" };

/** `attempt` is 1-based within the series; the schedule holds the delay before each retry. */
export function decide(outcome: AttemptOutcome, attempt: number, schedule: number[]): Decision {
	const status = outcome.httpStatus;
	if (status !== null && status >= 200 && status < 300) return { kind: "delivered" };
	if (status === 410) return { kind: "gone" };
	if (attempt > schedule.length) return { kind: "exhausted" };
	const honoured = (status === 429 || status === 503) && outcome.retryAfterSeconds !== null;
	const delay = honoured ? outcome.retryAfterSeconds! : (schedule[attempt - 1] ?? 0);
	return { kind: "retry", delaySeconds: clampDelay(delay) };
}

/** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
	if (!value) return null;
	const trimmed = value.trim();
	if (/^\d+$/.test(trimmed)) return Number(trimmed);
	const date = Date.parse(trimmed);
	return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}
