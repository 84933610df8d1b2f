// One Durable Object per job: the only writer of the job's state. Every status change goes through
// `transition()`; the alarm is the watchdog (stuck queued/rendering jobs), the retention timer and
// the outbox retry for the terminal webhook event.
import { DurableObject } from "cloudflare:workers";
import { clampDelay, config } from "../config";
import { logError } from "../log";
import { PAGE_FAULTS, type JobError } from "../schemas/job";
import type { StoredDocument } from "../storage/documents";
import { sourceKeysOf, storedKeys } from "../storage/outputs";
import { migrate } from "../storage/sql-schema";
import type { Lane } from "../tenants/render-slots";
import { tenantStub } from "../tenants/tenant-object";
import type { AttemptOutcome } from "../webhooks/policy";
import { beginAttempt, endAttempt, markDeadLettered, restartSeries, type AttemptResult, type WebhookTurn } from "../webhooks/state";
import { renderBudgetMs } from "./budget";
import { eventTypeFor, IllegalTransition, isTerminal, transition, type JobRecord } from "./record";
import { jobWithoutWebhook } from "./view";

/** How long a queued job may wait before the watchdog re-sends its message. */
export const QUEUED_WATCHDOG_MS = 10 * 60 * 1000;
/** Re-sends before a never-picked-up job is failed. */
const MAX_REQUEUES = 3;
/** Grace beyond the render budget before a rendering job's consumer counts as gone. */
export const LEASE_MARGIN_MS = 60 * 1000;
const OUTBOX_RETRY_MS = 30 * 1000;

const MIGRATIONS = [
	`CREATE TABLE IF NOT EXISTS job (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		record TEXT NOT NULL,
		updated_at INTEGER NOT NULL
	)`,
];

export type Claim =
	| { kind: "render"; job: JobRecord }
	| { kind: "busy"; retryAfterSeconds: number }
	/** Over the tenant's render cap: the job stays queued and is tried again later. */
	| { kind: "wait"; retryAfterSeconds: number }
	/** The tenant's pages are slow right now: render it on the slow lane. */
	| { kind: "divert" }
	| { kind: "done"; status: JobRecord["status"] | "missing" };

export type RetryDecision = { retry: true; delaySeconds: number } | { retry: false };

export type Outcome = { ok: true } | { ok: false; status: JobRecord["status"] | "missing" };

export type CancelResult = { action: "canceled" | "deleted" | "none"; job: JobRecord } | null;

export type RedeliverResult = { ok: true; job: JobRecord } | { ok: false; reason: "missing" | "not-finished" | "no-webhook" };

export class JobObject extends DurableObject<Env> {
	private readonly sql: SqlStorage;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		ctx.blockConcurrencyWhile(async () => migrate(this.sql, MIGRATIONS));
	}

	private load(): JobRecord | null {
		const row = this.sql.exec<{ record: string }>("SELECT record FROM job WHERE id = 1").toArray()[0];
		return row ? (JSON.parse(row.record) as JobRecord) : null;
	}

	private async save(job: JobRecord): Promise<void> {
		this.sql.exec(
			"INSERT INTO job (id, record, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at",
			JSON.stringify(job),
			Date.now(),
		);
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

	// ---- RPC -------------------------------------------------------------------------------

	/** Records a new job; calling it again with the same id returns the job already stored. */
	async create(job: JobRecord): Promise<{ created: boolean; job: JobRecord }> {
		const existing = this.load();
		if (existing) return { created: false, job: existing };
		await this.save(job);
		return { created: true, job };
	}

	/** The job, if it belongs to `tenantId`; another tenant's job is indistinguishable from none. */
	async read(tenantId: string): Promise<JobRecord | null> {
		const job = this.load();
		return job && job.tenantId === tenantId ? job : null;
	}

	/** The job for the signed download route, which has no tenant. */
	async readForDownload(): Promise<Pick<JobRecord, "status" | "document"> | null> {
		const job = this.load();
		return job && { status: job.status, document: job.document };
	}

	/**
	 * A consumer asks to render. At most one holds the lease; a lapsed lease means its consumer died.
	 * `cap` is the caller's TENANT_MAX_CONCURRENT_RENDERS (the caller's env, so a test can narrow it).
	 */
	async claim(lane: Lane = "fast", cap = config(this.env).tenantMaxConcurrentRenders, now = Date.now()): Promise<Claim> {
		const before = this.claimable(this.load(), now);
		if (before.kind !== "render") return before;
		const job = before.job;
		const leaseUntil = now + renderBudgetMs(job) + LEASE_MARGIN_MS;
		const grant = await tenantStub(this.env, job.tenantId).acquireRenderSlot({ jobId: job.id, until: leaseUntil, cap, lane }, now);
		// Other calls may have run while the tenant answered: decide on the job as it is now.
		const current = this.claimable(this.load(), now);
		if (current.kind !== "render") return current;
		const fresh = current.job;
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
	async complete(document: StoredDocument, timings: { renderMs: number; storeMs: number }, now = Date.now()): Promise<Outcome> {
		const job = this.load();
		if (!job) return { ok: false, status: "missing" };
		if (job.status !== "rendering") return { ok: false, status: job.status };
		job.document = document;
		job.timings.renderMs = timings.renderMs;
		job.timings.storeMs = timings.storeMs;
		job.deleteAt = now + config(this.env).retentionSeconds * 1000;
		job.error = null;
		await this.finish(job, "succeeded", now);
		this.releaseSlot(job, null);
		return { ok: true };
	}

	/** A failed attempt: transient ones go back to the queue while attempts remain. */
	async attemptFailed(error: JobError, transient: boolean, now = Date.now()): Promise<RetryDecision> {
		const job = this.load();
		if (!job || job.status !== "rendering") return { retry: false };
		this.releaseSlot(job, error);
		if (transient && job.attempts < config(this.env).renderMaxAttempts) {
			transition(job, "queued", now);
			await this.save(job);
			return { retry: true, delaySeconds: clampDelay(2 ** job.attempts) };
		}
		await this.finish(job, "failed", now, error);
		return { retry: false };
	}

	/** Fails a job that is not finished (render dead-letter queue). A finished job is left alone. */
	async failIfActive(error: JobError, now = Date.now()): Promise<Outcome> {
		const job = this.load();
		if (!job) return { ok: false, status: "missing" };
		if (isTerminal(job.status)) return { ok: false, status: job.status };
		if (job.status === "rendering") this.releaseSlot(job, null);
		await this.finish(job, "failed", now, error);
		return { ok: true };
	}

	/** DELETE: cancels an unfinished job, or deletes a finished job's document. Repeating it changes nothing. */
	async cancel(tenantId: string, now = Date.now()): Promise<CancelResult> {
		const job = this.load();
		if (!job || job.tenantId !== tenantId) return null;
		if (!isTerminal(job.status)) {
			if (job.status === "rendering") this.releaseSlot(job, null);
			await this.finish(job, "canceled", now, { code: "CANCELED", message: "the render was canceled" });
			return { action: "canceled", job };
		}
		if (!job.document) return { action: "none", job };
		await this.expireDocument(job);
		await this.save(job);
		return { action: "deleted", job };
	}

	// ---- webhook delivery --------------------------------------------------------------------

	async beginWebhookAttempt(series: number, now = Date.now()): Promise<WebhookTurn> {
		const job = this.load();
		const turn = beginAttempt(job, series, now);
		if (job && turn.kind === "send") await this.save(job);
		return turn;
	}

	async endWebhookAttempt(series: number, outcome: AttemptOutcome, now = Date.now()): Promise<AttemptResult> {
		const job = this.load();
		const result = endAttempt(job, series, outcome, config(this.env).webhookRetrySchedule, now);
		if (job && result.kind !== "stale") await this.save(job);
		return result;
	}

	async webhookDeadLettered(series: number): Promise<boolean> {
		const job = this.load();
		const changed = markDeadLettered(job, series);
		if (job && changed) await this.save(job);
		return changed;
	}

	/** POST /v1/renders/{id}/webhook: the same event again, in a new attempt series. */
	async redeliverWebhook(tenantId: string): Promise<RedeliverResult> {
		const job = this.load();
		if (!job || job.tenantId !== tenantId) return { ok: false, reason: "missing" };
		if (!job.webhook) return { ok: false, reason: "no-webhook" };
		if (!isTerminal(job.status) || !job.webhook.eventId) return { ok: false, reason: "not-finished" };
		restartSeries(job.webhook);
		await this.save(job);
		await this.flushOutbox(job);
		await this.save(job);
		return { ok: true, job };
	}

	// ---- alarm: watchdog, retention, outbox --------------------------------------------------

	/** Idempotent: it re-derives what is due from the stored state, so a repeated run changes nothing. */
	override async alarm(): Promise<void> {
		const job = this.load();
		if (!job) return;
		const now = Date.now();
		if (job.status === "queued" && now >= job.queuedAt + QUEUED_WATCHDOG_MS) await this.watchQueued(job, now);
		else if (job.status === "rendering" && job.leaseUntil !== null && now >= job.leaseUntil) await this.watchRendering(job, now);
		if (job.document && job.deleteAt !== null && now >= job.deleteAt) await this.expireDocument(job);
		if (job.webhook?.enqueuePending) await this.flushOutbox(job);
		await this.save(job);
	}

	private async watchQueued(job: JobRecord, now: number): Promise<void> {
		if (job.requeues >= MAX_REQUEUES) {
			await this.finish(job, "failed", now, { code: "INTERNAL", message: "the job was never picked up by a renderer" });
			return;
		}
		job.requeues += 1;
		job.queuedAt = now;
		await this.env.RENDER_QUEUE.send({ jobId: job.id });
	}

	private async watchRendering(job: JobRecord, now: number): Promise<void> {
		const error: JobError = { code: "INTERNAL", message: "a render attempt did not finish" };
		this.releaseSlot(job, null);
		if (job.attempts >= config(this.env).renderMaxAttempts) {
			await this.finish(job, "failed", now, error);
			return;
		}
		transition(job, "queued", now);
		await this.env.RENDER_QUEUE.send({ jobId: job.id });
	}

	private async expireDocument(job: JobRecord): Promise<void> {
		if (!job.document) return;
		await this.env.DOCUMENTS.delete(storedKeys(job.document));
		job.document = null;
		job.deleteAt = null;
	}

	// ---- terminal transition and its event -------------------------------------------------

	/** Ends the job and records its one terminal event in the outbox, then tries to enqueue it. */
	private async finish(job: JobRecord, to: "succeeded" | "failed" | "canceled", now: number, error?: JobError): Promise<void> {
		transition(job, to, now);
		if (error) job.error = error;
		if (job.webhook && job.webhook.eventId === null) {
			const type = eventTypeFor(to);
			if (!type) throw new IllegalTransition(job.status, to);
			const data = await jobWithoutWebhook(this.env, job, now);
			job.webhook.eventId = `evt_${job.id.replace(/^ren_/, "")}`;
			job.webhook.eventBody = JSON.stringify({ type, timestamp: new Date(now).toISOString(), data });
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
			await this.env.WEBHOOK_QUEUE.send({ jobId: job.id, series: job.webhook.series });
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
		if (due.length === 0) await this.ctx.storage.deleteAlarm();
		else await this.ctx.storage.setAlarm(Math.min(...due));
	}
}
