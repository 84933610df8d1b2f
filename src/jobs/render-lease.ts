// The render lease's state machine, pure: it edits a job record and says what happens next. A claim
// takes the lease for the job's render budget plus a margin and counts one attempt; while the lease
// holds, other claims wait. Once it lapses, the attempt that held it counts as a transient failure,
// whether a new claim or the watchdog alarm finds it first. A report names its attempt, so the
// report of an attempt that lost its lease to a newer one is stale.
import { clampDelay } from "../config";
import type { JobError } from "../schemas/job";
import { renderBudgetMs } from "./budget";
import { isTerminal, transition, type JobRecord } from "./record";

/** Grace beyond the render budget before a rendering job's consumer counts as gone. */
export const LEASE_MARGIN_MS = 60 * 1000;

/** Recorded when the attempt whose lease lapsed was the job's last. */
export const LAPSED_ATTEMPT: JobError = { code: "INTERNAL", message: "a render attempt did not finish" };

export type LeaseTurn =
	| { kind: "render"; job: JobRecord }
	| { kind: "busy"; retryAfterSeconds: number }
	| { kind: "done"; status: JobRecord["status"] | "missing" };

export type RetryDecision = { retry: true; delaySeconds: number } | { retry: false };

/** When a lease taken `now` runs out: the render budget of the work plus the margin. */
export function leaseEnd(work: Parameters<typeof renderBudgetMs>[0], now: number): number {
	return now + renderBudgetMs(work) + LEASE_MARGIN_MS;
}

/** Whether a claim may render this job now, without changing it. */
export function claimable(job: JobRecord | null, now: number): LeaseTurn {
	if (!job) return { kind: "done", status: "missing" };
	if (isTerminal(job.status)) return { kind: "done", status: job.status };
	if (job.status === "rendering" && job.leaseUntil !== null && job.leaseUntil > now) {
		return { kind: "busy", retryAfterSeconds: Math.ceil((job.leaseUntil - now) / 1000) };
	}
	return { kind: "render", job };
}

/**
 * Whether the watchdog finds the job's lease run out. A rendering job without a lease (a record
 * stored mid-change) is not the watchdog's: the next claim finds it claimable and ends its attempt.
 */
export function leaseLapsed(job: JobRecord, now: number): boolean {
	return job.status === "rendering" && job.leaseUntil !== null && now >= job.leaseUntil;
}

/** The attempt whose lease lapsed is over, as a transient failure: back to queued while attempts remain, else the job must fail. */
export function endLapsedAttempt(job: JobRecord, maxAttempts: number, now: number): { kind: "requeued" } | { kind: "fail"; error: JobError } {
	if (job.attempts >= maxAttempts) return { kind: "fail", error: LAPSED_ATTEMPT };
	transition(job, "queued", now);
	return { kind: "requeued" };
}

/** A claim was refused a render slot: a queued job waits its turn on purpose, so its watchdog counts from now. Whether the job changed. */
export function waitForSlot(job: JobRecord, now: number): boolean {
	if (job.status !== "queued") return false;
	job.queuedAt = now;
	return true;
}

/** A claim won its slot: a new attempt renders under the lease until `leaseUntil`. A lapsed attempt was ended first. */
export function startAttempt(job: JobRecord, leaseUntil: number, now: number): void {
	transition(job, "rendering", now);
	job.attempts += 1;
	job.startedAt ??= now;
	job.timings.queuedMs ??= now - job.createdAt;
	job.leaseUntil = leaseUntil;
}

/** The job was claimed again after `attempt` (its lease lapsed): that attempt's report is stale. No attempt: the report is not an attempt's. */
export function superseded(job: JobRecord, attempt: number | undefined): boolean {
	return attempt !== undefined && job.attempts !== attempt;
}

/** A rendering attempt failed: a transient failure goes back to the queue after 2^attempts seconds while attempts remain. */
export function failAttempt(job: JobRecord, transient: boolean, maxAttempts: number, now: number): RetryDecision {
	if (!transient || job.attempts >= maxAttempts) return { retry: false };
	transition(job, "queued", now);
	return { retry: true, delaySeconds: clampDelay(2 ** job.attempts) };
}
