// The job's alarm, pure: what is due and when it is next due, worked out from the stored record
// alone (an evicted object keeps nothing else). One alarm serves every timer: the watchdog of a
// queued job, the lease of a rendering one, the document's expiry, the webhook outbox retry and the
// deletion of the whole record.
import type { JobError } from "../schemas/job";
import type { JobRecord } from "./record";
import { purgeRecheckAt } from "./secrets";

/** How long a queued job may wait before the watchdog re-sends its message. */
export const QUEUED_WATCHDOG_MS = 10 * 60 * 1000;
/** Re-sends before a never-picked-up job is failed. */
export const MAX_REQUEUES = 3;
/** How soon the alarm retries a terminal event the webhook queue refused. */
export const OUTBOX_RETRY_MS = 30 * 1000;

const NEVER_PICKED_UP: JobError = { code: "INTERNAL", message: "the job was never picked up by a renderer" };

/** A queued job waited too long for a renderer: its message was lost. */
export function queuedTooLong(job: JobRecord, now: number): boolean {
	return job.status === "queued" && now >= job.queuedAt + QUEUED_WATCHDOG_MS;
}

/** The watchdog re-sends a lost message, or fails the job once the re-sends are used up. */
export function requeue(job: JobRecord, now: number): { kind: "resend" } | { kind: "fail"; error: JobError } {
	if (job.requeues >= MAX_REQUEUES) return { kind: "fail", error: NEVER_PICKED_UP };
	job.requeues += 1;
	job.queuedAt = now;
	return { kind: "resend" };
}

export function documentExpired(job: JobRecord, now: number): boolean {
	return !!job.document && job.deleteAt !== null && now >= job.deleteAt;
}

/** The earliest time anything in the record falls due; null when nothing will. */
export function nextAlarmAt(job: JobRecord, now: number): number | null {
	const due: number[] = [];
	if (job.status === "queued") due.push(job.queuedAt + QUEUED_WATCHDOG_MS);
	if (job.status === "rendering" && job.leaseUntil !== null) due.push(job.leaseUntil);
	if (job.document && job.deleteAt !== null) due.push(job.deleteAt);
	if (job.webhook?.enqueuePending) due.push(now + OUTBOX_RETRY_MS);
	if (job.purgeAt !== null) due.push(purgeRecheckAt(job, now));
	return due.length === 0 ? null : Math.min(...due);
}
