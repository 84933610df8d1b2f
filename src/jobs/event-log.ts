// The job's event log behind GET /v1/renders/{id}/events: one row per stored status and per webhook
// attempt, numbered by a sequence. Rows are appended in the same synchronous storage write as the
// record that caused them, so a change is never missing from the log nor logged twice.
import { type Job, StoredJobView } from "../schemas/job";
import { CorruptedStore, parseStored } from "../schemas/stored";
import { isTerminal, type JobRecord } from "./record";

const EVENT_KINDS = ["status", "webhook"] as const;
export type JobEventKind = (typeof EVENT_KINDS)[number];
const isEventKind = (kind: string): kind is JobEventKind => (EVENT_KINDS as readonly string[]).includes(kind);

export interface JobEvent {
	seq: number;
	kind: JobEventKind;
	/** The public job object when the event happened, without its document (signed afresh on read). */
	view: Job;
}

/** What a reader gets: the events after its cursor, the job now, and whether the stream is over. */
export interface JobEventPage {
	events: JobEvent[];
	job: JobRecord;
	ended: boolean;
}

interface Row extends Record<string, SqlStorageValue> {
	seq: number;
	kind: string;
	status: string;
	attempts: number;
	webhook_attempts: number;
	last_attempt: string;
	view: string;
}

/** Idempotent, and separate from the record's versioned migrations so both can grow independently. */
export function ensureEventLog(sql: SqlStorage): void {
	sql.exec(`CREATE TABLE IF NOT EXISTS job_events (
		seq INTEGER PRIMARY KEY,
		kind TEXT NOT NULL,
		status TEXT NOT NULL,
		attempts INTEGER NOT NULL,
		webhook_attempts INTEGER NOT NULL,
		last_attempt TEXT NOT NULL,
		view TEXT NOT NULL
	)`);
}

/** The document is left out of stored views: its link is a credential with an expiry, signed on every read. */
export function storedView(view: Job): Job {
	return { ...view, document: null };
}

/**
 * Appends what changed since the last row: a `status` event when the stored status (or, while
 * rendering, the attempt number) differs, and a `webhook` event per newly recorded attempt.
 * Returns how many rows were added. Synchronous, so it commits with the record write before it.
 */
export function appendEvents(sql: SqlStorage, job: JobRecord, view: Job): number {
	const last = sql.exec<Row>("SELECT * FROM job_events ORDER BY seq DESC LIMIT 1").toArray()[0];
	const attempts = job.webhook?.attempts ?? [];
	const lastAttempt = JSON.stringify(attempts.at(-1) ?? null);
	const kinds: JobEventKind[] = [];
	if (!last || last.status !== job.status || last.attempts !== job.attempts) kinds.push("status");
	// The attempt log is capped (oldest dropped), so a changed newest entry also counts as one new attempt.
	const newAttempts = Math.max(attempts.length - (last?.webhook_attempts ?? 0), last && last.last_attempt !== lastAttempt ? 1 : 0);
	for (let i = 0; i < newAttempts; i++) kinds.push("webhook");
	const json = JSON.stringify(storedView(view));
	for (const kind of kinds) {
		sql.exec(
			"INSERT INTO job_events (kind, status, attempts, webhook_attempts, last_attempt, view) VALUES (?, ?, ?, ?, ?, ?)",
			kind,
			job.status,
			job.attempts,
			attempts.length,
			lastAttempt,
			json,
		);
	}
	return kinds.length;
}

/**
 * The events after `after`, each view parsed as the Job it was stored as (StoredJobView; a zod
 * parse per event read, cheap beside the read itself). A row that is not one throws CorruptedStore: a stream does
 * not send a made-up event.
 */
export function eventsAfter(sql: SqlStorage, after: number): JobEvent[] {
	return sql
		.exec<Row>("SELECT seq, kind, view FROM job_events WHERE seq > ? ORDER BY seq", after)
		.toArray()
		.map((row) => {
			const what = `job event ${row.seq}`;
			if (!isEventKind(row.kind)) throw new CorruptedStore(what, "unknown kind");
			return { seq: row.seq, kind: row.kind, view: parseStored(StoredJobView, what, row.view) };
		});
}

/**
 * A stream is over once the job is terminal and its webhook, if any, has settled its first turn:
 * delivered, failed, or waiting for a scheduled retry (hours away, too long to hold a connection;
 * a later reconnect with Last-Event-ID picks the further attempts up and ends again).
 */
export function streamEnded(job: JobRecord): boolean {
	if (!isTerminal(job.status)) return false;
	const w = job.webhook;
	return !w || w.status === "delivered" || w.status === "failed" || (w.status === "pending" && w.seriesAttempts > 0);
}

/** Readers long-polling for the next event: each waits until an append wakes it, or its time is up. */
export class EventWaiters {
	private readonly waiting = new Set<() => void>();

	wakeAll(): void {
		for (const wake of this.waiting) wake();
		this.waiting.clear();
	}

	wait(ms: number): Promise<void> {
		return new Promise<void>((resolve) => {
			const waiting = this.waiting;
			const timer = setTimeout(wake, ms);
			function wake() {
				clearTimeout(timer);
				waiting.delete(wake);
				resolve();
			}
			waiting.add(wake);
		});
	}
}
