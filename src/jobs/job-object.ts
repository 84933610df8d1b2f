// One Durable Object per job: the only writer of the job's state. Every status change goes through
// `transition()`; the alarm is the watchdog (stuck queued/rendering jobs), the retention timer (the
// document, then the whole record) and the outbox retry for the terminal webhook event.
// Each change reads the record, lets a pure state machine decide (render-lease.ts, alarm.ts,
// destinations/state.ts, webhooks/state.ts), saves, then sends what follows (queues, R2, the tenant).
// Storage is created on the first write only: reading an unknown id leaves nothing behind.
import { DurableObject } from "cloudflare:workers";
import { config } from "../config";
import { logError } from "../log";
import { sendRender, sendWebhook } from "../queue-message";
import { PAGE_FAULTS, type JobError } from "../schemas/job";
import { parseStoredJson } from "../schemas/stored";
import { redactText } from "../security/redact";
import {
	beginAfterPrint,
	beginDelivery,
	DELIVERY_LEASE_MARGIN_MS,
	endDelivery,
	watchDelivery,
	type DeliveryDecision,
	type DeliveryOutcome,
} from "../destinations/state";
import type { StoredDocument } from "../storage/documents";
import { deleteAssets, hasAssets } from "../storage/assets";
import { sourceKeysOf, storedKeys } from "../storage/outputs";
import { migrate } from "../storage/sql-schema";
import type { Lane, SlotGrant } from "../tenants/render-slots";
import { tenantStub } from "../tenants/tenant-object";
import type { AttemptOutcome } from "../webhooks/policy";
import {
	beginAttempt,
	endAttempt,
	markDeadLettered,
	MAX_WEBHOOK_SERIES,
	restartSeries,
	type AttemptId,
	type AttemptResult,
	type WebhookTurn,
} from "../webhooks/state";
import { documentExpired, nextAlarmAt, queuedTooLong, requeue } from "./alarm";
import { appendEvents, ensureEventLog, EventWaiters, eventsAfter, streamEnded, type JobEventPage } from "./event-log";
import type { At, CancelResult, Claim, ClaimOptions, Outcome, OutcomeStatus, RedeliverResult, ReportOptions } from "./job-rpc";
import { isTerminal, type JobRecord } from "./record";
import { upgradeRecord } from "./record-migrations";
import { claimable, endLapsedAttempt, failAttempt, leaseEnd, leaseLapsed, startAttempt, superseded, waitForSlot, type RetryDecision } from "./render-lease";
import { eraseTerminalSecrets, openWebhookHeaders, purgeDue, sealWebhookHeaders } from "./secrets";
import { endJob, type TerminalStatus } from "./terminal";
import { jobView } from "./view";

const MIGRATIONS = [
	`CREATE TABLE IF NOT EXISTS job (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		record TEXT NOT NULL,
		updated_at INTEGER NOT NULL
	)`,
];

/** The opening of a change: the job, or why there is none to change. */
type Opened = { ok: true; job: JobRecord } | { ok: false; status: "missing" | "superseded" };

type Timings = { renderMs: number; storeMs: number };

export class JobObject extends DurableObject<Env> {
	private readonly sql: SqlStorage;
	/** Whether the `job` table exists; it is created by the first write, never by a read. */
	private hasTable = false;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
	}

	// ---- the stored record ------------------------------------------------------------------

	private tableExists(): boolean {
		this.hasTable ||= this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'job'").toArray().length > 0;
		return this.hasTable;
	}

	/**
	 * The record in today's shape (zod-parsed); one stored in an older shape is upgraded and saved back.
	 * Text that is not JSON throws CorruptedStore, and JSON that is no known version UnreadableRecord:
	 * both name no value, since a record still holds the page's credentials until it is terminal.
	 */
	private async load(): Promise<JobRecord | null> {
		if (!this.tableExists()) return null;
		const row = this.sql.exec<{ record: string }>("SELECT record FROM job WHERE id = 1").toArray()[0];
		if (!row) return null;
		const { record, upgraded } = upgradeRecord(parseStoredJson("job record", row.record));
		if (upgraded) await this.save(record);
		return record;
	}

	/**
	 * The opening of every report and request: the job, unless it is gone, belongs to another tenant
	 * (which reads as gone), or was claimed again after the reporting attempt (whose report is stale).
	 */
	private async loadFor(asker: { tenantId?: string; attempt?: number } = {}): Promise<Opened> {
		const job = await this.load();
		if (!job || (asker.tenantId !== undefined && job.tenantId !== asker.tenantId)) return { ok: false, status: "missing" };
		if (superseded(job, asker.attempt)) return { ok: false, status: "superseded" };
		return { ok: true, job };
	}

	/** Stores the record, then brings what derives from it up to date: its event log, its alarm, the tenant's index. */
	private async save(job: JobRecord): Promise<void> {
		this.ensureTables();
		await this.prepareForStorage(job);
		// Without its document the view needs no signing: only microtasks run here, nothing interleaves.
		const view = await jobView(this.env, { ...job, document: null });
		this.writeRecord(job);
		this.logEvents(job, view);
		await this.scheduleAlarm(job);
		this.indexStatus(job);
	}

	/** Tables appear with the first write: a read of an unknown id leaves no storage behind. */
	private ensureTables(): void {
		if (!this.tableExists()) {
			migrate(this.sql, MIGRATIONS);
			this.hasTable = true;
		}
		ensureEventLog(this.sql);
	}

	/** What is stored never holds a webhook header in plaintext, nor a finished job's page credentials; a finished job gets its deletion date. */
	private async prepareForStorage(job: JobRecord): Promise<void> {
		await sealWebhookHeaders(this.env, job);
		if (!isTerminal(job.status)) return;
		eraseTerminalSecrets(job);
		job.purgeAt ??= (job.completedAt ?? Date.now()) + config(this.env).retentionSeconds * 1000;
	}

	private writeRecord(job: JobRecord): void {
		this.sql.exec(
			"INSERT INTO job (id, record, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at",
			JSON.stringify(job),
			Date.now(),
		);
	}

	/** One alarm for every timer, recomputed from the record on each save. */
	private async scheduleAlarm(job: JobRecord): Promise<void> {
		const at = nextAlarmAt(job, Date.now());
		if (at === null) await this.ctx.storage.deleteAlarm();
		else await this.ctx.storage.setAlarm(at);
	}

	/** Status last sent to the tenant's job index by this instance, and the chain of those updates. */
	private indexedStatus: string | null = null;
	private indexing: Promise<void> = Promise.resolve();

	/**
	 * Keeps the tenant's listing index in step, off the hot path: updates go out one after another
	 * (so they arrive in order) while the caller is answered. The job itself stays the source of truth.
	 */
	private indexStatus(job: JobRecord): void {
		if (this.indexedStatus === job.status) return;
		this.indexedStatus = job.status;
		const { id, tenantId, status, createdAt } = job;
		this.indexing = this.indexing.then(() =>
			tenantStub(this.env, tenantId)
				.indexJob(id, status, createdAt)
				.catch((err: unknown) => logError({ msg: "tenant index update failed", jobId: id, error: String(err) })),
		);
		this.ctx.waitUntil(this.indexing);
	}

	/**
	 * Every change of the record runs alone, in arrival order: a change that awaits I/O (the tenant,
	 * R2, a queue send) would otherwise let another call load the same record and one save the other.
	 */
	private lock: Promise<unknown> = Promise.resolve();

	private exclusive<T>(change: () => Promise<T>): Promise<T> {
		const run = this.lock.then(change, change);
		this.lock = run.catch(() => undefined);
		return run;
	}

	// ---- RPC: create and read ----------------------------------------------------------------

	/** Records a new job; calling it again with the same id returns the job already stored. */
	async create(job: JobRecord): Promise<{ created: boolean; job: JobRecord }> {
		return this.exclusive(async () => {
			const existing = await this.load();
			if (existing) return { created: false, job: existing };
			await this.save(job);
			return { created: true, job };
		});
	}

	/** The job, if it belongs to `tenantId`; another tenant's job is indistinguishable from none. */
	async read(tenantId: string): Promise<JobRecord | null> {
		const opened = await this.loadFor({ tenantId });
		return opened.ok ? opened.job : null;
	}

	/** The job for the signed download route, which has no tenant. */
	async readForDownload(): Promise<Pick<JobRecord, "status" | "document"> | null> {
		const job = await this.load();
		return job && { status: job.status, document: job.document };
	}

	// ---- RPC: the render lease (state machine in render-lease.ts) ------------------------------

	/** A consumer asks to render. At most one holds the lease; a lapsed lease means its consumer died. */
	async claim({ lane = "fast", cap = config(this.env).tenantMaxConcurrentRenders, now = Date.now() }: ClaimOptions = {}): Promise<Claim> {
		return this.exclusive(async () => {
			const job = await this.load();
			// Printed already: only the delivery step is due, and it takes no render slot.
			if (job?.delivery && !isTerminal(job.status)) return this.claimDelivery(job, now);
			const turn = claimable(job, now);
			if (turn.kind !== "render") return turn;
			return this.claimRender(turn.job, lane, cap, now);
		});
	}

	private async claimRender(job: JobRecord, lane: Lane, cap: number, now: number): Promise<Claim> {
		const leaseUntil = leaseEnd(job, now);
		// No other change runs meanwhile (exclusive): the job is as loaded when the tenant answers.
		const grant = await tenantStub(this.env, job.tenantId).acquireRenderSlot({ jobId: job.id, until: leaseUntil, cap, lane }, now);
		if (grant.kind !== "granted") return this.refused(job, grant, now);
		if (job.status === "rendering") {
			// The previous consumer vanished mid-render: its attempt ends as a transient failure.
			const lapse = endLapsedAttempt(job, config(this.env).renderMaxAttempts, now);
			if (lapse.kind === "fail") {
				this.releaseSlot(job, null);
				await this.finish(job, "failed", now, lapse.error);
				return { kind: "done", status: job.status };
			}
		}
		startAttempt(job, leaseUntil, now);
		await this.save(job);
		return { kind: "render", job };
	}

	/** No render slot now: the job waits its turn (or moves to the slow lane). */
	private async refused(job: JobRecord, grant: Exclude<SlotGrant, { kind: "granted" }>, now: number): Promise<Claim> {
		if (waitForSlot(job, now)) await this.save(job);
		return grant.kind === "divert" ? { kind: "divert" } : { kind: "wait", retryAfterSeconds: grant.retryAfterSeconds };
	}

	/** The job left `rendering`: its tenant's slot is free again (off the hot path, like the index). */
	private releaseSlot(job: JobRecord, error: JobError | null): void {
		const pageFault = error !== null && PAGE_FAULTS.has(error.code);
		this.ctx.waitUntil(
			tenantStub(this.env, job.tenantId)
				.releaseRenderSlot(job.id, pageFault)
				.catch((err: unknown) => logError({ msg: "render slot release failed", jobId: job.id, error: String(err) })),
		);
	}

	/** The printed document is stored: the record keeps it until its retention ends. */
	private keepDocument(job: JobRecord, document: StoredDocument, timings: Timings, now: number): void {
		job.document = document;
		job.timings.renderMs = timings.renderMs;
		job.timings.storeMs = timings.storeMs;
		job.deleteAt = now + config(this.env).retentionSeconds * 1000;
	}

	/** The render is stored. Refused (and the caller deletes its object) if the job was canceled meanwhile. */
	async complete(document: StoredDocument, timings: Timings, { now = Date.now(), attempt, report }: ReportOptions = {}): Promise<Outcome> {
		return this.exclusive(async () => {
			const opened = await this.loadFor({ attempt });
			if (!opened.ok) return opened;
			const { job } = opened;
			if (job.status !== "rendering") return { ok: false, status: job.status };
			this.keepDocument(job, document, timings, now);
			job.error = null;
			// Before the end: the terminal event carries the report.
			if (report) job.report = report;
			await this.finish(job, "succeeded", now);
			this.releaseSlot(job, null);
			return { ok: true };
		});
	}

	/** A failed attempt: transient ones go back to the queue while attempts remain. */
	async attemptFailed(error: JobError, transient: boolean, { now = Date.now(), attempt, report }: ReportOptions = {}): Promise<RetryDecision> {
		return this.exclusive(async () => {
			const opened = await this.loadFor({ attempt });
			// A late report of an attempt the watchdog already replaced changes nothing.
			if (!opened.ok || opened.job.status !== "rendering") return { retry: false };
			const { job } = opened;
			// The PDF is stored: a delivery step that broke is retried under its own lease, never printed again.
			if (job.delivery) return { retry: true, delaySeconds: Math.ceil(DELIVERY_LEASE_MARGIN_MS / 1000) };
			this.releaseSlot(job, error);
			const decision = failAttempt(job, transient, config(this.env).renderMaxAttempts, now);
			if (decision.retry) {
				await this.save(job);
				return decision;
			}
			// The final attempt's report is the job's (a retried one's would describe a page printed again).
			if (report) job.report = report;
			await this.finish(job, "failed", now, error);
			return decision;
		});
	}

	/** Fails a job that is not finished (render dead-letter queue). A finished job is left alone. */
	async failIfActive(error: JobError, { now = Date.now() }: At = {}): Promise<Outcome> {
		return this.exclusive(async () => {
			const opened = await this.loadFor();
			if (!opened.ok) return opened;
			const { job } = opened;
			if (isTerminal(job.status)) return { ok: false, status: job.status };
			if (job.status === "rendering") this.releaseSlot(job, null);
			await this.finish(job, "failed", now, error);
			return { ok: true };
		});
	}

	/** DELETE: cancels an unfinished job, or deletes a finished job's document. Repeating it changes nothing. */
	async cancel(tenantId: string, { now = Date.now() }: At = {}): Promise<CancelResult> {
		return this.exclusive(async () => {
			const opened = await this.loadFor({ tenantId });
			if (!opened.ok) return null;
			const { job } = opened;
			if (!isTerminal(job.status)) {
				if (job.status === "rendering" && !job.delivery) this.releaseSlot(job, null);
				// A PDF stored for delivery to a destination is not kept past a cancel.
				if (job.delivery) await this.expireDocument(job);
				await this.finish(job, "canceled", now, { code: "CANCELED", message: "the render was canceled" });
				return { action: "canceled", job };
			}
			if (!job.document) return { action: "none", job };
			await this.expireDocument(job);
			await this.save(job);
			return { action: "deleted", job };
		});
	}

	// ---- RPC: delivery to a destination (state machine in destinations/state.ts) ---------------

	/** The PDF is stored and has a destination: the job stays `rendering` while it is delivered. */
	async stored(
		document: StoredDocument,
		timings: Timings,
		{ now = Date.now(), attempt, report }: ReportOptions = {},
	): Promise<{ ok: true; job: JobRecord } | { ok: false; status: OutcomeStatus }> {
		return this.exclusive(async () => {
			const opened = await this.loadFor({ attempt });
			if (!opened.ok) return opened;
			const { job } = opened;
			if (job.status !== "rendering" || job.delivery) return { ok: false, status: job.status };
			this.keepDocument(job, document, timings, now);
			// The attempt that produced the document is the one the report describes, however delivery ends.
			if (report) job.report = report;
			beginAfterPrint(job, now);
			await this.save(job);
			// Printing is over: the delivery step holds no browser, so the tenant's render slot is free.
			this.releaseSlot(job, null);
			return { ok: true, job };
		});
	}

	private async claimDelivery(job: JobRecord, now: number): Promise<Claim> {
		const turn = beginDelivery(job, now);
		if (turn.kind === "busy") return turn;
		if (turn.kind === "fail") {
			await this.finish(job, "failed", now, turn.error);
			return { kind: "done", status: job.status };
		}
		await this.save(job);
		return { kind: "deliver", job };
	}

	/** A delivery try ended: success ends the job (dropping our copy unless keepCopy), else retry or fail. */
	async endDelivery(outcome: DeliveryOutcome, { now = Date.now() }: At = {}): Promise<DeliveryDecision> {
		return this.exclusive(async () => {
			const job = await this.load();
			if (!job) return { kind: "stale" };
			const decision = endDelivery(job, outcome, now);
			if (decision.kind === "delivered") {
				if (!job.keepCopy && job.document) await this.env.DOCUMENTS.delete(job.document.key);
				await this.finish(job, "succeeded", now);
			} else if (decision.kind === "failed") {
				await this.finish(job, "failed", now, decision.error);
			} else if (decision.kind === "retry") {
				await this.save(job);
			}
			return decision;
		});
	}

	// ---- RPC: webhook delivery (state machine in webhooks/state.ts) ----------------------------

	async beginWebhookAttempt(series: number, { now = Date.now() }: At = {}): Promise<WebhookTurn> {
		return this.exclusive(async () => {
			const job = await this.load();
			const turn = beginAttempt(job, series, now);
			if (!job || turn.kind !== "send") return turn;
			await this.save(job);
			// The sealed headers are opened for this attempt only; the record keeps them sealed.
			return { ...turn, delivery: { ...turn.delivery, headers: await openWebhookHeaders(this.env, job) } };
		});
	}

	/** The answer to attempt `id` (the series, and the attempt number its `send` turn gave). */
	async endWebhookAttempt(id: AttemptId, outcome: AttemptOutcome, { now = Date.now() }: At = {}): Promise<AttemptResult> {
		return this.exclusive(async () => {
			const job = await this.load();
			// A network error's text may quote the receiver's URL: its query stays out of the record.
			const recorded = { ...outcome, error: outcome.error === null ? null : redactText(outcome.error) };
			const result = endAttempt(job, id, recorded, config(this.env).webhookRetrySchedule, now);
			if (job && result.kind !== "stale") await this.save(job);
			return result;
		});
	}

	async webhookDeadLettered(series: number): Promise<boolean> {
		return this.exclusive(async () => {
			const job = await this.load();
			const changed = markDeadLettered(job, series);
			if (job && changed) await this.save(job);
			return changed;
		});
	}

	/** POST /v1/renders/{id}/webhook: the same event again, in a new attempt series. */
	async redeliverWebhook(tenantId: string): Promise<RedeliverResult> {
		return this.exclusive(async () => {
			const opened = await this.loadFor({ tenantId });
			if (!opened.ok) return { ok: false, reason: "missing" };
			const { job } = opened;
			if (!job.webhook) return { ok: false, reason: "no-webhook" };
			if (!isTerminal(job.status) || !job.webhook.eventId) return { ok: false, reason: "not-finished" };
			if (job.webhook.series >= MAX_WEBHOOK_SERIES) {
				const until = job.purgeAt ?? Date.now();
				return { ok: false, reason: "capped", retryAfterSeconds: Math.max(1, Math.ceil((until - Date.now()) / 1000)) };
			}
			restartSeries(job.webhook);
			await this.save(job);
			await this.flushOutbox(job);
			await this.save(job);
			return { ok: true, job };
		});
	}

	// ---- RPC: live status, the event log -------------------------------------------------------

	/** Readers waiting in eventsSince() for the next appended event. */
	private readonly eventWaiters = new EventWaiters();

	private logEvents(job: JobRecord, view: Awaited<ReturnType<typeof jobView>>): void {
		if (appendEvents(this.sql, job, view) > 0) this.eventWaiters.wakeAll();
	}

	/**
	 * The events after `after` for the job's tenant (null for another tenant or none). With none yet and
	 * the stream not over, waits up to `waitMs` for the next one (a long poll, so readers need not spin).
	 */
	async eventsSince(tenantId: string, after: number, waitMs = 0): Promise<JobEventPage | null> {
		const opened = await this.loadFor({ tenantId });
		if (!opened.ok) return null;
		const { job } = opened;
		ensureEventLog(this.sql);
		// A job stored before the event log existed gets its current state as its first events.
		if (after === 0 && eventsAfter(this.sql, 0).length === 0) this.logEvents(job, await jobView(this.env, { ...job, document: null }));
		const events = eventsAfter(this.sql, after);
		if (events.length > 0 || streamEnded(job) || waitMs <= 0) return { events, job, ended: streamEnded(job) };
		await this.eventWaiters.wait(waitMs);
		return this.eventsSince(tenantId, after, 0);
	}

	// ---- alarm: watchdog, retention, outbox (what is due: alarm.ts) ---------------------------

	/** Idempotent: it re-derives what is due from the stored state, so a repeated run changes nothing. */
	override async alarm(): Promise<void> {
		return this.exclusive(async () => {
			const job = await this.load();
			if (!job) return;
			const now = Date.now();
			if (purgeDue(job, now)) return this.purge(job);
			if (queuedTooLong(job, now)) await this.watchQueued(job, now);
			else if (leaseLapsed(job, now)) await this.watchRendering(job, now);
			if (documentExpired(job, now)) await this.expireDocument(job);
			if (job.webhook?.enqueuePending) await this.flushOutbox(job);
			await this.save(job);
		});
	}

	private async watchQueued(job: JobRecord, now: number): Promise<void> {
		const next = requeue(job, now);
		if (next.kind === "fail") return this.finish(job, "failed", now, next.error);
		await sendRender(this.env, job.id);
	}

	private async watchRendering(job: JobRecord, now: number): Promise<void> {
		if (job.delivery) return this.watchDeliveryStep(job, now);
		this.releaseSlot(job, null);
		const lapse = endLapsedAttempt(job, config(this.env).renderMaxAttempts, now);
		if (lapse.kind === "fail") return this.finish(job, "failed", now, lapse.error);
		await sendRender(this.env, job.id);
	}

	private async watchDeliveryStep(job: JobRecord, now: number): Promise<void> {
		const next = watchDelivery(job, now);
		if (next.kind === "fail") await this.finish(job, "failed", now, next.error);
		else await sendRender(this.env, job.id);
	}

	private async expireDocument(job: JobRecord): Promise<void> {
		if (!job.document) return;
		await this.env.DOCUMENTS.delete(storedKeys(job.document));
		job.document = null;
		job.deleteAt = null;
	}

	/** RETENTION_SECONDS after the job ended: its files, its listing entry, then every stored byte. */
	private async purge(job: JobRecord): Promise<void> {
		await this.expireDocument(job);
		// Deleted when the job ended, unless that failed: every stashed source, its parts' too.
		const sources = sourceKeysOf(job);
		if (sources.length) await this.env.DOCUMENTS.delete(sources);
		if (hasAssets(job)) await deleteAssets(this.env.DOCUMENTS, job.tenantId, job.id);
		// After any index update still on its way, so none can re-add the row.
		this.indexing = this.indexing.then(() => tenantStub(this.env, job.tenantId).forgetJob(job.id));
		await this.indexing;
		await this.ctx.storage.deleteAlarm();
		await this.ctx.storage.deleteAll();
		this.hasTable = false;
		this.indexedStatus = null;
	}

	// ---- terminal transition and its event -------------------------------------------------

	/** Ends the job and records its one terminal event in the outbox, then tries to enqueue it. */
	private async finish(job: JobRecord, to: TerminalStatus, now: number, error?: JobError): Promise<void> {
		await endJob(this.env, job, to, now, error);
		await this.save(job);
		await this.afterEnd(job);
	}

	/** Once the end is stored: the stashed sources go (the purge retries a failure), the event goes to the queue. */
	private async afterEnd(job: JobRecord): Promise<void> {
		const sources = sourceKeysOf(job);
		if (sources.length) await this.env.DOCUMENTS.delete(sources).catch(() => undefined);
		if (hasAssets(job)) await deleteAssets(this.env.DOCUMENTS, job.tenantId, job.id).catch(() => undefined);
		if (job.webhook?.enqueuePending) {
			await this.flushOutbox(job);
			await this.save(job);
		}
	}

	/** Puts the recorded event on the webhook queue; on failure the alarm tries again. */
	private async flushOutbox(job: JobRecord): Promise<void> {
		if (!job.webhook?.enqueuePending) return;
		try {
			await sendWebhook(this.env.WEBHOOK_QUEUE, { jobId: job.id, series: job.webhook.series });
			job.webhook.enqueuePending = false;
		} catch (err) {
			logError({ msg: "webhook enqueue failed", jobId: job.id, error: String(err) });
		}
	}
}
