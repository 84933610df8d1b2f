// One Durable Object per job: the only writer of the job's state. Every status change goes through
// `transition()`; the alarm is the watchdog (stuck queued/rendering jobs), the retention timer (the
// document, then the whole record) and the outbox retry for the terminal webhook event.
// Storage is created on the first write only: reading an unknown id leaves nothing behind.
import { DurableObject } from "cloudflare:workers";
import { clampDelay, config } from "../config";
import { logError } from "../log";
import { sendRender, sendWebhook } from "../queue-message";
import { PAGE_FAULTS, type JobError } from "../schemas/job";
import { redactText } from "../security/redact";
import { webhookEvent } from "../schemas/webhook-event";
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
import { sourceKeysOf, storedKeys } from "../storage/outputs";
import { migrate } from "../storage/sql-schema";
import type { Lane } from "../tenants/render-slots";
import { tenantStub } from "../tenants/tenant-object";
import type { AttemptOutcome } from "../webhooks/policy";
import { beginAttempt, endAttempt, markDeadLettered, restartSeries, type AttemptResult, type WebhookTurn } from "../webhooks/state";
import { appendEvents, ensureEventLog, eventsAfter, streamEnded, type JobEventPage } from "./event-log";
import { renderBudgetMs } from "./budget";
import { eventTypeFor, IllegalTransition, isTerminal, transition, type JobRecord } from "./record";
import { upgradeRecord } from "./record-migrations";
import { eraseTerminalSecrets, openWebhookHeaders, purgeDue, purgeRecheckAt, sealWebhookHeaders } from "./secrets";
import { jobView, jobWithoutWebhook } from "./view";

/** How long a queued job may wait before the watchdog re-sends its message. */
export const QUEUED_WATCHDOG_MS = 10 * 60 * 1000;
/** Re-sends before a never-picked-up job is failed. */
const MAX_REQUEUES = 3;
/** Grace beyond the render budget before a rendering job's consumer counts as gone. */
export const LEASE_MARGIN_MS = 60 * 1000;
const OUTBOX_RETRY_MS = 30 * 1000;
/**
 * Attempt series per job: the first delivery plus 4 redeliveries. Each series is up to
 * WEBHOOK_RETRY_SCHEDULE + 1 requests to a caller-chosen URL, so the total stays bounded.
 */
export const MAX_WEBHOOK_SERIES = 5;

const MIGRATIONS = [
	`CREATE TABLE IF NOT EXISTS job (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		record TEXT NOT NULL,
		updated_at INTEGER NOT NULL
	)`,
];

export type Claim =
	| { kind: "render"; job: JobRecord }
	/** #16: the PDF is stored; only its delivery step is due. */
	| { kind: "deliver"; job: JobRecord }
	| { kind: "busy"; retryAfterSeconds: number }
	/** Over the tenant's render cap: the job stays queued and is tried again later. */
	| { kind: "wait"; retryAfterSeconds: number }
	/** The tenant's pages are slow right now: render it on the slow lane. */
	| { kind: "divert" }
	| { kind: "done"; status: JobRecord["status"] | "missing" };

export type RetryDecision = { retry: true; delaySeconds: number } | { retry: false };

/** Why a report was refused: the job's status now, gone, or a newer attempt holds the job. */
export type OutcomeStatus = JobRecord["status"] | "missing" | "superseded";

export type Outcome = { ok: true } | { ok: false; status: OutcomeStatus };

/** The job was claimed again after `attempt` (its lease lapsed): that attempt's report is stale. */
function superseded(job: JobRecord, attempt: number | undefined): boolean {
	return attempt !== undefined && job.attempts !== attempt;
}

export type CancelResult = { action: "canceled" | "deleted" | "none"; job: JobRecord } | null;

export type RedeliverResult =
	| { ok: true; job: JobRecord }
	| { ok: false; reason: "missing" | "not-finished" | "no-webhook" }
	/** MAX_WEBHOOK_SERIES used up; the cap holds until the record is deleted, `retryAfterSeconds` from now. */
	| { ok: false; reason: "capped"; retryAfterSeconds: number };

export class JobObject extends DurableObject<Env> {
	private readonly sql: SqlStorage;
	/** Whether the `job` table exists; it is created by the first write, never by a read. */
	private hasTable = false;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
	}

	private tableExists(): boolean {
		this.hasTable ||= this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'job'").toArray().length > 0;
		return this.hasTable;
	}

	/** The record in today's shape (zod-parsed); one stored in an older shape is upgraded and saved back. */
	private async load(): Promise<JobRecord | null> {
		if (!this.tableExists()) return null;
		const row = this.sql.exec<{ record: string }>("SELECT record FROM job WHERE id = 1").toArray()[0];
		if (!row) return null;
		const { record, upgraded } = upgradeRecord(JSON.parse(row.record));
		if (upgraded) await this.save(record);
		return record;
	}

	private async save(job: JobRecord): Promise<void> {
		// Tables appear with the first write: a read of an unknown id leaves no storage behind.
		if (!this.tableExists()) {
			migrate(this.sql, MIGRATIONS);
			this.hasTable = true;
		}
		ensureEventLog(this.sql);
		// What is stored never holds a webhook header in plaintext, nor a finished job's page credentials.
		await sealWebhookHeaders(this.env, job);
		if (isTerminal(job.status)) {
			eraseTerminalSecrets(job);
			job.purgeAt ??= (job.completedAt ?? Date.now()) + config(this.env).retentionSeconds * 1000;
		}
		// Without its document the view needs no signing: only microtasks run here, nothing interleaves.
		const view = await jobView(this.env, { ...job, document: null });
		this.sql.exec(
			"INSERT INTO job (id, record, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at",
			JSON.stringify(job),
			Date.now(),
		);
		this.logEvents(job, view);
		await this.scheduleAlarm(job);
		this.indexStatus(job);
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

	// ---- RPC -------------------------------------------------------------------------------

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
		const job = await this.load();
		return job && job.tenantId === tenantId ? job : null;
	}

	/** The job for the signed download route, which has no tenant. */
	async readForDownload(): Promise<Pick<JobRecord, "status" | "document"> | null> {
		const job = await this.load();
		return job && { status: job.status, document: job.document };
	}

	/**
	 * A consumer asks to render. At most one holds the lease; a lapsed lease means its consumer died.
	 * `cap` is the caller's TENANT_MAX_CONCURRENT_RENDERS (the caller's env, so a test can narrow it).
	 */
	async claim(lane: Lane = "fast", cap = config(this.env).tenantMaxConcurrentRenders, now = Date.now()): Promise<Claim> {
		return this.exclusive(async () => {
			const stored = await this.load();
			// #16: printed already; only the delivery step is due, and it takes no render slot.
			if (stored?.delivery && !isTerminal(stored.status)) return this.claimDelivery(stored, now);
			const before = this.claimable(stored, now);
			if (before.kind !== "render") return before;
			const job = before.job;
			const leaseUntil = now + renderBudgetMs(job) + LEASE_MARGIN_MS;
			// No other change runs meanwhile (exclusive): the job is as loaded when the tenant answers.
			const grant = await tenantStub(this.env, job.tenantId).acquireRenderSlot({ jobId: job.id, until: leaseUntil, cap, lane }, now);
			const fresh = job;
			if (grant.kind !== "granted") {
				// Still queued, and waiting its turn on purpose: the watchdog counts from now.
				if (fresh.status === "queued") {
					fresh.queuedAt = now;
					await this.save(fresh);
				}
				return grant.kind === "divert" ? { kind: "divert" } : { kind: "wait", retryAfterSeconds: grant.retryAfterSeconds };
			}
			if (fresh.status === "rendering") {
				// The previous consumer vanished mid-render: count its attempt as a transient failure.
				const lapsed: JobError = { code: "INTERNAL", message: "a render attempt did not finish" };
				if (fresh.attempts >= config(this.env).renderMaxAttempts) {
					this.releaseSlot(fresh, null);
					await this.finish(fresh, "failed", now, lapsed);
					return { kind: "done", status: fresh.status };
				}
				transition(fresh, "queued", now);
			}
			transition(fresh, "rendering", now);
			fresh.attempts += 1;
			fresh.startedAt ??= now;
			fresh.timings.queuedMs ??= now - fresh.createdAt;
			fresh.leaseUntil = leaseUntil;
			await this.save(fresh);
			return { kind: "render", job: fresh };
		});
	}

	/** Whether a claim may render this job now, without changing it. */
	private claimable(job: JobRecord | null, now: number): Claim {
		if (!job) return { kind: "done", status: "missing" };
		if (isTerminal(job.status)) return { kind: "done", status: job.status };
		if (job.status === "rendering" && job.leaseUntil !== null && job.leaseUntil > now) {
			return { kind: "busy", retryAfterSeconds: Math.ceil((job.leaseUntil - now) / 1000) };
		}
		return { kind: "render", job };
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

	/** The render is stored. Refused (and the caller deletes its object) if the job was canceled meanwhile. */
	async complete(document: StoredDocument, timings: { renderMs: number; storeMs: number }, now = Date.now(), attempt?: number): Promise<Outcome> {
		return this.exclusive(async () => {
			const job = await this.load();
			if (!job) return { ok: false, status: "missing" };
			if (superseded(job, attempt)) return { ok: false, status: "superseded" };
			if (job.status !== "rendering") return { ok: false, status: job.status };
			job.document = document;
			job.timings.renderMs = timings.renderMs;
			job.timings.storeMs = timings.storeMs;
			job.deleteAt = now + config(this.env).retentionSeconds * 1000;
			job.error = null;
			await this.finish(job, "succeeded", now);
			this.releaseSlot(job, null);
			return { ok: true };
		});
	}

	// ---- #16 delivery step (state machine in src/destinations/state.ts) -----------------------

	/** The PDF is stored and has a destination: the job stays `rendering` while it is delivered. */
	async stored(
		document: StoredDocument,
		timings: { renderMs: number; storeMs: number },
		now = Date.now(),
		attempt?: number,
	): Promise<{ ok: true; job: JobRecord } | { ok: false; status: OutcomeStatus }> {
		return this.exclusive(async () => {
			const job = await this.load();
			if (!job) return { ok: false, status: "missing" };
			if (superseded(job, attempt)) return { ok: false, status: "superseded" };
			if (job.status !== "rendering" || job.delivery) return { ok: false, status: job.status };
			job.document = document;
			job.timings.renderMs = timings.renderMs;
			job.timings.storeMs = timings.storeMs;
			job.deleteAt = now + config(this.env).retentionSeconds * 1000;
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
	async endDelivery(outcome: DeliveryOutcome, now = Date.now()): Promise<DeliveryDecision> {
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

	/** A failed attempt: transient ones go back to the queue while attempts remain. */
	async attemptFailed(error: JobError, transient: boolean, now = Date.now(), attempt?: number): Promise<RetryDecision> {
		return this.exclusive(async () => {
			const job = await this.load();
			// A late report of an attempt the watchdog already replaced changes nothing.
			if (job?.status !== "rendering" || superseded(job, attempt)) return { retry: false };
			// #16: the PDF is stored; a delivery step that broke is retried under its own lease, never re-rendered.
			if (job.delivery) return { retry: true, delaySeconds: Math.ceil(DELIVERY_LEASE_MARGIN_MS / 1000) };
			this.releaseSlot(job, error);
			if (transient && job.attempts < config(this.env).renderMaxAttempts) {
				transition(job, "queued", now);
				await this.save(job);
				return { retry: true, delaySeconds: clampDelay(2 ** job.attempts) };
			}
			await this.finish(job, "failed", now, error);
			return { retry: false };
		});
	}

	/** Fails a job that is not finished (render dead-letter queue). A finished job is left alone. */
	async failIfActive(error: JobError, now = Date.now()): Promise<Outcome> {
		return this.exclusive(async () => {
			const job = await this.load();
			if (!job) return { ok: false, status: "missing" };
			if (isTerminal(job.status)) return { ok: false, status: job.status };
			if (job.status === "rendering") this.releaseSlot(job, null);
			await this.finish(job, "failed", now, error);
			return { ok: true };
		});
	}

	/** DELETE: cancels an unfinished job, or deletes a finished job's document. Repeating it changes nothing. */
	async cancel(tenantId: string, now = Date.now()): Promise<CancelResult> {
		return this.exclusive(async () => {
			const job = await this.load();
			if (!job || job.tenantId !== tenantId) return null;
			if (!isTerminal(job.status)) {
				if (job.status === "rendering" && !job.delivery) this.releaseSlot(job, null);
				// #16: a PDF stored for delivery is not kept past a cancel.
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

	// ---- webhook delivery --------------------------------------------------------------------

	async beginWebhookAttempt(series: number, now = Date.now()): Promise<WebhookTurn> {
		return this.exclusive(async () => {
			const job = await this.load();
			const turn = beginAttempt(job, series, now);
			if (!job || turn.kind !== "send") return turn;
			await this.save(job);
			// The sealed headers are opened for this attempt only; the record keeps them sealed.
			return { ...turn, delivery: { ...turn.delivery, headers: await openWebhookHeaders(this.env, job) } };
		});
	}

	async endWebhookAttempt(series: number, outcome: AttemptOutcome, now = Date.now()): Promise<AttemptResult> {
		return this.exclusive(async () => {
			const job = await this.load();
			// A network error's text may quote the receiver's URL: its query stays out of the record.
			const recorded = { ...outcome, error: outcome.error === null ? null : redactText(outcome.error) };
			const result = endAttempt(job, series, recorded, config(this.env).webhookRetrySchedule, now);
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
			const job = await this.load();
			if (!job || job.tenantId !== tenantId) return { ok: false, reason: "missing" };
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

	// ---- live status: the event log ------------------------------------------------------------

	/** Readers waiting in eventsSince() for the next appended event. */
	private readonly eventWaiters = new Set<() => void>();

	private logEvents(job: JobRecord, view: Awaited<ReturnType<typeof jobView>>): void {
		if (appendEvents(this.sql, job, view) === 0) return;
		for (const wake of this.eventWaiters) wake();
		this.eventWaiters.clear();
	}

	/**
	 * The events after `after` for the job's tenant (null for another tenant or none). With none yet and
	 * the stream not over, waits up to `waitMs` for the next one (a long poll, so readers need not spin).
	 */
	async eventsSince(tenantId: string, after: number, waitMs = 0): Promise<JobEventPage | null> {
		const job = await this.load();
		if (!job || job.tenantId !== tenantId) return null;
		ensureEventLog(this.sql);
		// A job stored before the event log existed gets its current state as its first events.
		if (after === 0 && eventsAfter(this.sql, 0).length === 0) this.logEvents(job, await jobView(this.env, { ...job, document: null }));
		const events = eventsAfter(this.sql, after);
		if (events.length > 0 || streamEnded(job) || waitMs <= 0) return { events, job, ended: streamEnded(job) };
		await new Promise<void>((resolve) => {
			const timer = setTimeout(wake, waitMs);
			const waiters = this.eventWaiters;
			function wake() {
				clearTimeout(timer);
				waiters.delete(wake);
				resolve();
			}
			waiters.add(wake);
		});
		return this.eventsSince(tenantId, after, 0);
	}

	// ---- alarm: watchdog, retention, outbox --------------------------------------------------

	/** Idempotent: it re-derives what is due from the stored state, so a repeated run changes nothing. */
	override async alarm(): Promise<void> {
		return this.exclusive(async () => {
			const job = await this.load();
			if (!job) return;
			const now = Date.now();
			if (purgeDue(job, now)) return this.purge(job);
			if (job.status === "queued" && now >= job.queuedAt + QUEUED_WATCHDOG_MS) await this.watchQueued(job, now);
			else if (job.status === "rendering" && job.leaseUntil !== null && now >= job.leaseUntil) await this.watchRendering(job, now);
			if (job.document && job.deleteAt !== null && now >= job.deleteAt) await this.expireDocument(job);
			if (job.webhook?.enqueuePending) await this.flushOutbox(job);
			await this.save(job);
		});
	}

	private async watchQueued(job: JobRecord, now: number): Promise<void> {
		if (job.requeues >= MAX_REQUEUES) {
			await this.finish(job, "failed", now, { code: "INTERNAL", message: "the job was never picked up by a renderer" });
			return;
		}
		job.requeues += 1;
		job.queuedAt = now;
		await sendRender(this.env, job.id);
	}

	private async watchRendering(job: JobRecord, now: number): Promise<void> {
		if (job.delivery) return this.watchDeliveryStep(job, now);
		const error: JobError = { code: "INTERNAL", message: "a render attempt did not finish" };
		this.releaseSlot(job, null);
		if (job.attempts >= config(this.env).renderMaxAttempts) {
			await this.finish(job, "failed", now, error);
			return;
		}
		transition(job, "queued", now);
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
	private async finish(job: JobRecord, to: "succeeded" | "failed" | "canceled", now: number, error?: JobError): Promise<void> {
		transition(job, to, now);
		// The recorded message is what callers and webhooks see: a URL in it keeps no query or userinfo.
		if (error) job.error = { code: error.code, message: redactText(error.message) };
		// #16: the tenant endpoint's `events` filter: an event it did not ask for is never recorded.
		const type = eventTypeFor(to);
		if (job.webhook?.events && type && !job.webhook.events.includes(type)) job.webhook = null;
		if (job.webhook && job.webhook.eventId === null) {
			if (!type) throw new IllegalTransition(job.status, to);
			const data = await jobWithoutWebhook(this.env, job, now);
			job.webhook.eventId = `evt_${job.id.replace(/^ren_/, "")}`;
			job.webhook.eventBody = JSON.stringify(webhookEvent(type, now, data));
			job.webhook.enqueuePending = true;
		}
		await this.save(job);
		const sources = sourceKeysOf(job);
		if (sources.length) await this.env.DOCUMENTS.delete(sources).catch(() => undefined);
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

	private async scheduleAlarm(job: JobRecord): Promise<void> {
		const due: number[] = [];
		if (job.status === "queued") due.push(job.queuedAt + QUEUED_WATCHDOG_MS);
		if (job.status === "rendering" && job.leaseUntil !== null) due.push(job.leaseUntil);
		if (job.document && job.deleteAt !== null) due.push(job.deleteAt);
		if (job.webhook?.enqueuePending) due.push(Date.now() + OUTBOX_RETRY_MS);
		if (job.purgeAt !== null) due.push(purgeRecheckAt(job, Date.now()));
		if (due.length === 0) await this.ctx.storage.deleteAlarm();
		else await this.ctx.storage.setAlarm(Math.min(...due));
	}
}
