// Leases a tenant grants up to a cap, one pool per kind of work: render slots (src/tenants/render-slots.ts)
// and open event streams. A holder renews its lease while it works and releases it when done; a holder
// that died (a crashed consumer, a Worker that went away mid-stream) stops renewing, and its lease lapses
// by itself, so a lost release never keeps a slot taken for good.

/** Which cap a lease counts against. */
export type LeasePool = "render" | "stream";

export interface LeaseRequest {
	/** Who holds the lease: a job id (render) or a stream id (stream). */
	holder: string;
	/** When the lease lapses if never renewed nor released. */
	until: number;
	cap: number;
}

export type LeaseGrant = { kind: "granted" } | { kind: "wait"; retryAfterSeconds: number };

/** What the pool holds now, lapsed leases already dropped. */
export interface LeaseState {
	held: boolean;
	inUse: number;
}

/**
 * One table for every pool. Render slots used to live in `render_slots (job_id, until)`: the slots
 * held when an existing tenant object upgrades move over, so no render loses its place.
 */
export const LEASE_MIGRATIONS = [
	"CREATE TABLE IF NOT EXISTS leases (pool TEXT NOT NULL, holder TEXT NOT NULL, until INTEGER NOT NULL, PRIMARY KEY (pool, holder))",
	"INSERT OR REPLACE INTO leases (pool, holder, until) SELECT 'render', job_id, until FROM render_slots",
	"DROP TABLE IF EXISTS render_slots",
];

/** Seconds before a holder over its cap asks again: 2-5 s, spread so waiting holders do not return in step. */
export function leaseRetrySeconds(random = Math.random()): number {
	return 2 + Math.floor(random * 4);
}

/** A holder that has a lease keeps it (a renewal); anyone else gets one while the pool is under its cap. */
export function decideLease(state: LeaseState, cap: number): LeaseGrant {
	if (state.held || state.inUse < cap) return { kind: "granted" };
	return { kind: "wait", retryAfterSeconds: leaseRetrySeconds() };
}

export function leaseState(sql: SqlStorage, pool: LeasePool, holder: string, now: number): LeaseState {
	sql.exec("DELETE FROM leases WHERE pool = ? AND until <= ?", pool, now);
	const held = sql.exec("SELECT 1 FROM leases WHERE pool = ? AND holder = ?", pool, holder).toArray().length > 0;
	const inUse = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM leases WHERE pool = ?", pool).one().n;
	return { held, inUse };
}

/** Takes or renews the lease. */
export function grantLease(sql: SqlStorage, pool: LeasePool, holder: string, until: number): void {
	sql.exec("INSERT INTO leases (pool, holder, until) VALUES (?, ?, ?) ON CONFLICT (pool, holder) DO UPDATE SET until = excluded.until", pool, holder, until);
}

/** Idempotent: releasing a lease that lapsed or was released already changes nothing. */
export function releaseLease(sql: SqlStorage, pool: LeasePool, holder: string): void {
	sql.exec("DELETE FROM leases WHERE pool = ? AND holder = ?", pool, holder);
}

/** Takes or renews a lease in a pool with nothing but a cap (render slots add their lanes: src/tenants/render-slots.ts). */
export function acquireLease(sql: SqlStorage, pool: LeasePool, request: LeaseRequest, now: number): LeaseGrant {
	const grant = decideLease(leaseState(sql, pool, request.holder, now), request.cap);
	if (grant.kind === "granted") grantLease(sql, pool, request.holder, request.until);
	return grant;
}
