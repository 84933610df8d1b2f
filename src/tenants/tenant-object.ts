// One Durable Object per tenant: the index behind GET /v1/renders (newest first) and the
// Idempotency-Key registry (24 h). Jobs themselves live in their own JobObject.
import { DurableObject } from "cloudflare:workers";
import type { DestinationConfig } from "../schemas/destination";
import type { JobStatus } from "../schemas/job";
import type { CertificateInfo } from "../schemas/signing-key";
import { migrate } from "../storage/sql-schema";
import { acquireLease, grantLease, type LeaseGrant, type LeaseRequest, LEASE_MIGRATIONS, leaseState, releaseLease } from "./leases";
import { decideSlot, SLOW_LANE_MS, type SlotGrant, type SlotRequest } from "./render-slots";
import * as fonts from "./fonts";
import * as settings from "./settings";
import * as signingKeys from "./signing-keys";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** In order, each run once (src/storage/sql-schema.ts): append, never edit or reorder. */
export const TENANT_MIGRATIONS = [
	"CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, status TEXT NOT NULL, created_at INTEGER NOT NULL)",
	"CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, id)",
	"CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, job_id TEXT NOT NULL, created_at INTEGER NOT NULL)",
	// Jobs of this tenant rendering now, each until its render lease lapses (a crashed consumer's slot frees itself).
	"CREATE TABLE IF NOT EXISTS render_slots (job_id TEXT PRIMARY KEY, until INTEGER NOT NULL)",
	"CREATE TABLE IF NOT EXISTS render_lane (id INTEGER PRIMARY KEY CHECK (id = 1), slow_until INTEGER NOT NULL)",
	// Tenant settings: saved destinations, the default webhook endpoint, the test-event limit.
	...settings.SETTINGS_MIGRATIONS,
	// Render slots and open event streams: one lease table for both (src/tenants/leases.ts).
	...LEASE_MIGRATIONS,
	// The tenant's font faces (src/tenants/fonts.ts); their bytes are in R2.
	...fonts.FONT_MIGRATIONS,
	// The tenant's signing keys (src/tenants/signing-keys.ts); the private keys arrive sealed.
	...signingKeys.SIGNING_KEY_MIGRATIONS,
];

export type IdempotencyClaim = { kind: "new" } | { kind: "replay"; jobId: string } | { kind: "conflict" };

export interface JobPage {
	ids: string[];
	nextCursor: string | null;
}

export function tenantStub(env: Env, tenantId: string): DurableObjectStub<TenantObject> {
	return env.TENANTS.get(env.TENANTS.idFromName(tenantId));
}

export class TenantObject extends DurableObject<Env> {
	private readonly sql: SqlStorage;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		ctx.blockConcurrencyWhile(async () => migrate(this.sql, TENANT_MIGRATIONS));
	}

	/** Atomically binds `key` to `jobId`, or tells which job it already names. */
	async claimIdempotencyKey(key: string, bodyHash: string, jobId: string, now = Date.now()): Promise<IdempotencyClaim> {
		this.sql.exec("DELETE FROM idempotency WHERE key = ? AND created_at <= ?", key, now - IDEMPOTENCY_TTL_MS);
		const row = this.sql.exec<{ body_hash: string; job_id: string }>("SELECT body_hash, job_id FROM idempotency WHERE key = ?", key).toArray()[0];
		if (row) return row.body_hash === bodyHash ? { kind: "replay", jobId: row.job_id } : { kind: "conflict" };
		this.sql.exec("INSERT INTO idempotency (key, body_hash, job_id, created_at) VALUES (?, ?, ?, ?)", key, bodyHash, jobId, now);
		if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + IDEMPOTENCY_TTL_MS);
		return { kind: "new" };
	}

	async indexJob(id: string, status: JobStatus, createdAt: number): Promise<void> {
		this.sql.exec("INSERT INTO jobs (id, status, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET status = excluded.status", id, status, createdAt);
	}

	/** The job's record was deleted (retention): it leaves the listing too. */
	async forgetJob(id: string): Promise<void> {
		this.sql.exec("DELETE FROM jobs WHERE id = ?", id);
	}

	/** Newest first; ids sort by creation time, so the cursor is the last id returned. */
	async listJobs(options: { status?: JobStatus; limit: number; cursor?: string }): Promise<JobPage> {
		const params: string[] = [];
		const where: string[] = [];
		if (options.status) {
			where.push("status = ?");
			params.push(options.status);
		}
		if (options.cursor) {
			where.push("id < ?");
			params.push(options.cursor);
		}
		const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
		const rows = this.sql.exec<{ id: string }>(`SELECT id FROM jobs ${clause} ORDER BY id DESC LIMIT ?`, ...params, options.limit + 1).toArray();
		const page = rows.slice(0, options.limit).map((r) => r.id);
		return { ids: page, nextCursor: rows.length > options.limit ? (page.at(-1) ?? null) : null };
	}

	/** A render slot for `jobId`, or why not; asking again for a job that holds one renews it. */
	async acquireRenderSlot(request: SlotRequest, now = Date.now()): Promise<SlotGrant> {
		const state = leaseState(this.sql, "render", request.jobId, now);
		const slowUntil = this.sql.exec<{ slow_until: number }>("SELECT slow_until FROM render_lane").toArray()[0]?.slow_until ?? 0;
		const grant = decideSlot(request, { ...state, slowUntil }, now);
		if (grant.kind === "granted") grantLease(this.sql, "render", request.jobId, request.until);
		return grant;
	}

	/** The job stopped rendering; a page that timed out or crashed moves the tenant to the slow lane for a while. */
	async releaseRenderSlot(jobId: string, pageFault: boolean, now = Date.now()): Promise<void> {
		releaseLease(this.sql, "render", jobId);
		if (pageFault) {
			this.sql.exec(
				"INSERT INTO render_lane (id, slow_until) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET slow_until = excluded.slow_until",
				now + SLOW_LANE_MS,
			);
		}
	}

	/** A slot for one open event stream (`holder`: the stream's id), or how long to wait; asking again renews it. */
	async acquireStreamSlot(request: LeaseRequest, now = Date.now()): Promise<LeaseGrant> {
		return acquireLease(this.sql, "stream", request, now);
	}

	/** The stream ended (or its client went away). */
	async releaseStreamSlot(streamId: string): Promise<void> {
		releaseLease(this.sql, "stream", streamId);
	}

	// ---- tenant settings (rows in src/tenants/settings.ts; secrets arrive sealed) ----------

	async putDestination(name: string, config: DestinationConfig, sealed: string, now = Date.now()): Promise<{ created: boolean; row: settings.DestinationRow }> {
		return settings.putDestination(this.sql, name, config, sealed, now);
	}

	async getDestination(name: string): Promise<settings.DestinationRow | null> {
		return settings.getDestination(this.sql, name);
	}

	async listDestinations(): Promise<settings.DestinationRow[]> {
		return settings.listDestinations(this.sql);
	}

	async deleteDestination(name: string): Promise<boolean> {
		return settings.deleteDestination(this.sql, name);
	}

	async putWebhookEndpoint(sealed: string, now = Date.now()): Promise<void> {
		settings.putEndpoint(this.sql, sealed, now);
	}

	async getWebhookEndpoint(): Promise<settings.EndpointRow | null> {
		return settings.getEndpoint(this.sql);
	}

	async deleteWebhookEndpoint(): Promise<boolean> {
		return settings.deleteEndpoint(this.sql);
	}

	/** null when a test event may go now (and it is counted), else the seconds to wait. */
	async takeWebhookTest(now = Date.now()): Promise<number | null> {
		return settings.takeOnDemand(this.sql, "webhookTest", now);
	}

	/** The limit on POST /v1/destinations/{name}/check, as on test events. */
	async takeDestinationCheck(now = Date.now()): Promise<number | null> {
		return settings.takeOnDemand(this.sql, "destinationCheck", now);
	}

	// ---- font faces (rows in src/tenants/fonts.ts; the bytes are in R2) -------------------------

	async putFont(face: fonts.FaceRow, limit: number): Promise<fonts.PutFaceResult> {
		return fonts.putFace(this.sql, face, limit);
	}

	async listFonts(): Promise<fonts.FaceRow[]> {
		return fonts.listFaces(this.sql);
	}

	async deleteFonts(family: string, face?: { weight: number; style: string }): Promise<fonts.FaceRow[]> {
		return fonts.deleteFaces(this.sql, family, face);
	}

	// ---- signing keys (rows in src/tenants/signing-keys.ts; the key arrives sealed) -------------

	async putSigningKey(
		name: string,
		certificate: CertificateInfo,
		sealed: string,
		now = Date.now(),
	): Promise<{ created: boolean; row: signingKeys.SigningKeyRow }> {
		return signingKeys.putSigningKey(this.sql, name, certificate, sealed, now);
	}

	async getSigningKey(name: string): Promise<signingKeys.SigningKeyRow | null> {
		return signingKeys.getSigningKey(this.sql, name);
	}

	async listSigningKeys(): Promise<signingKeys.SigningKeyRow[]> {
		return signingKeys.listSigningKeys(this.sql);
	}

	async deleteSigningKey(name: string): Promise<boolean> {
		return signingKeys.deleteSigningKey(this.sql, name);
	}

	/** Forgets idempotency keys older than 24 h; idempotent. */
	override async alarm(): Promise<void> {
		const now = Date.now();
		this.sql.exec("DELETE FROM idempotency WHERE created_at <= ?", now - IDEMPOTENCY_TTL_MS);
		const oldest = this.sql.exec<{ at: number | null }>("SELECT MIN(created_at) AS at FROM idempotency").one().at;
		if (oldest !== null) await this.ctx.storage.setAlarm(oldest + IDEMPOTENCY_TTL_MS);
	}
}
