// What a job Durable Object stores, and the state machine every change of status goes through.
import type { JobError, JobStatus, Source, Timings, WebhookAttempt } from "../schemas/job";
import type { Output, PreviewOptions, ScreenshotOptions } from "../schemas/outputs";
import type { PageOptions, PdfOptions, WebhookRequest } from "../schemas/render-request";
import type { StoredDocument } from "../storage/documents";

export type EventType = "render.succeeded" | "render.failed" | "render.canceled";

export interface WebhookRecord extends Omit<WebhookRequest, "headers"> {
	headers: Record<string, string>;
	status: "pending" | "delivering" | "delivered" | "failed";
	attempts: WebhookAttempt[];
	nextAttemptAt: number | null;
	/** Stable id of the job's one terminal event; null until the job ends. */
	eventId: string | null;
	/** The exact body sent on every attempt, fixed when the job ends. */
	eventBody: string | null;
	/** Attempt series: 1 for the first delivery, +1 for each manual redelivery. */
	series: number;
	/** Outbox flag: the event is recorded but not yet on the webhook queue. */
	enqueuePending: boolean;
	/** Attempts made in the current series. */
	seriesAttempts: number;
	/** While an attempt is in flight: when its sender counts as gone. */
	leaseUntil: number | null;
	/** The series used up its schedule; the event belongs in the dead-letter queue. */
	exhausted: boolean;
	deadLettered: boolean;
}

/** One document of a merged render: its inline HTML (or rendered template) waits in R2 at sourceKey. */
export interface PartRecord {
	url: string | null;
	sourceKey: string | null;
	pdf: PdfOptions;
	page: PageOptions;
}

export interface JobRecord {
	id: string;
	tenantId: string;
	status: JobStatus;
	createdAt: number;
	startedAt: number | null;
	completedAt: number | null;
	/** When the job last entered `queued`, for the watchdog. */
	queuedAt: number;
	/** While rendering: when the consumer's claim lapses and another may take over. */
	leaseUntil: number | null;
	attempts: number;
	/** Times the watchdog re-sent a queued job's message. */
	requeues: number;
	source: Source;
	url: string | null;
	sourceKey: string | null;
	pdf: PdfOptions;
	page: PageOptions;
	filename: string;
	expiresIn: number;
	/** Origin for signed links when PUBLIC_BASE_URL is not set. */
	origin: string;
	document: StoredDocument | null;
	/** When the stored document is deleted by the retention alarm. */
	deleteAt: number | null;
	error: JobError | null;
	timings: Timings;
	metadata: Record<string, string>;
	webhook: WebhookRecord | null;
	// More outputs (#17); absent on records written before them: a PDF, no preview, one source.
	output?: Output;
	screenshot?: ScreenshotOptions;
	preview?: PreviewOptions;
	parts?: PartRecord[];
}

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
