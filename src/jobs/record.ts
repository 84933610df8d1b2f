// The state machine every change of a job's status goes through. The record itself (what a job
// Durable Object stores) is defined once, as a zod schema, in src/schemas/job-record.ts.
import type { JobStatus } from "../schemas/job";
import type { JobRecord } from "../schemas/job-record";
import type { EventType } from "../schemas/webhook-event";

export type { JobRecord, PartRecord, WebhookRecord } from "../schemas/job-record";
export type { EventType };

const TRANSITIONS: Record<JobStatus, readonly JobStatus[]> = {
	queued: ["rendering", "failed", "canceled"],
	// Back to queued when a transient failure is retried.
	rendering: ["queued", "succeeded", "failed", "canceled"],
	succeeded: [],
	failed: [],
	canceled: [],
};

export class IllegalTransition extends Error {
	constructor(
		readonly from: JobStatus,
		readonly to: JobStatus,
	) {
		super(`illegal job transition ${from} -> ${to}`);
	}
}

export function canTransition(from: JobStatus, to: JobStatus): boolean {
	return TRANSITIONS[from].includes(to);
}

export function isTerminal(status: JobStatus): boolean {
	return TRANSITIONS[status].length === 0;
}

/** Moves the job to `to`, or throws IllegalTransition; terminal states are final. */
export function transition(job: JobRecord, to: JobStatus, now: number): void {
	if (!canTransition(job.status, to)) throw new IllegalTransition(job.status, to);
	job.status = to;
	if (to === "queued") job.queuedAt = now;
	if (to !== "rendering") job.leaseUntil = null;
	if (isTerminal(to)) job.completedAt = now;
}

export function eventTypeFor(status: JobStatus): EventType | null {
	if (status === "succeeded") return "render.succeeded";
	if (status === "failed") return "render.failed";
	if (status === "canceled") return "render.canceled";
	return null;
}
