// A tenant's settings in its Durable Object's SQLite: saved destinations and the default webhook
// endpoint. Every secret arrives here sealed (src/security/secret-box.ts); this layer stores rows.
import { DestinationConfig } from "../schemas/destination";
import { parseStored } from "../schemas/stored";

export const SETTINGS_MIGRATIONS = [
	"CREATE TABLE IF NOT EXISTS destinations (name TEXT PRIMARY KEY, config TEXT NOT NULL, sealed TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
	"CREATE TABLE IF NOT EXISTS webhook_endpoint (id INTEGER PRIMARY KEY CHECK (id = 1), sealed TEXT NOT NULL, updated_at INTEGER NOT NULL)",
	"CREATE TABLE IF NOT EXISTS webhook_tests (at INTEGER NOT NULL)",
	"CREATE TABLE IF NOT EXISTS destination_checks (at INTEGER NOT NULL)",
];

export interface DestinationRow {
	name: string;
	config: DestinationConfig;
	/** Sealed JSON { accessKeyId, secretAccessKey }. */
	sealed: string;
	createdAt: number;
	updatedAt: number;
}

export interface EndpointRow {
	/** Sealed JSON of the endpoint as PUT (url, method, headers, events). */
	sealed: string;
	updatedAt: number;
}

/**
 * Calls that reach out on a tenant's demand (a test event, a destination check): each kind at most
 * 5 per sliding minute, counted in the table named here.
 */
export const ON_DEMAND_PER_WINDOW = 5;
export const ON_DEMAND_WINDOW_MS = 60_000;
const ON_DEMAND_TABLES = { webhookTest: "webhook_tests", destinationCheck: "destination_checks" } as const;
export type OnDemandCall = keyof typeof ON_DEMAND_TABLES;

type Raw = { name: string; config: string; sealed: string; created_at: number; updated_at: number };
const toRow = (r: Raw): DestinationRow => ({
	name: r.name,
	// A config that is not DestinationConfig throws CorruptedStore: the row is not used half-read.
	config: parseStored(DestinationConfig, `destination config of "${r.name}"`, r.config),
	sealed: r.sealed,
	createdAt: r.created_at,
	updatedAt: r.updated_at,
});

export function putDestination(
	sql: SqlStorage,
	name: string,
	config: DestinationConfig,
	sealed: string,
	now: number,
): { created: boolean; row: DestinationRow } {
	const existed = sql.exec("SELECT 1 FROM destinations WHERE name = ?", name).toArray().length > 0;
	sql.exec(
		"INSERT INTO destinations (name, config, sealed, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET config = excluded.config, sealed = excluded.sealed, updated_at = excluded.updated_at",
		name,
		JSON.stringify(config),
		sealed,
		now,
		now,
	);
	return { created: !existed, row: getDestination(sql, name)! };
}

export function getDestination(sql: SqlStorage, name: string): DestinationRow | null {
	const raw = sql.exec<Raw>("SELECT name, config, sealed, created_at, updated_at FROM destinations WHERE name = ?", name).toArray()[0];
	return raw ? toRow(raw) : null;
}

export function listDestinations(sql: SqlStorage): DestinationRow[] {
	return sql.exec<Raw>("SELECT name, config, sealed, created_at, updated_at FROM destinations ORDER BY name").toArray().map(toRow);
}

export function deleteDestination(sql: SqlStorage, name: string): boolean {
	return sql.exec("DELETE FROM destinations WHERE name = ?", name).rowsWritten > 0;
}

export function putEndpoint(sql: SqlStorage, sealed: string, now: number): void {
	sql.exec(
		"INSERT INTO webhook_endpoint (id, sealed, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at",
		sealed,
		now,
	);
}

export function getEndpoint(sql: SqlStorage): EndpointRow | null {
	const raw = sql.exec<{ sealed: string; updated_at: number }>("SELECT sealed, updated_at FROM webhook_endpoint WHERE id = 1").toArray()[0];
	return raw ? { sealed: raw.sealed, updatedAt: raw.updated_at } : null;
}

export function deleteEndpoint(sql: SqlStorage): boolean {
	return sql.exec("DELETE FROM webhook_endpoint WHERE id = 1").rowsWritten > 0;
}

/** Sliding-window limit on calls of `kind`: null when allowed (and counted), else seconds to wait. */
export function takeOnDemand(sql: SqlStorage, kind: OnDemandCall, now: number): number | null {
	const table = ON_DEMAND_TABLES[kind];
	sql.exec(`DELETE FROM ${table} WHERE at <= ?`, now - ON_DEMAND_WINDOW_MS);
	const times = sql.exec<{ at: number }>(`SELECT at FROM ${table} ORDER BY at`).toArray();
	if (times.length >= ON_DEMAND_PER_WINDOW) return Math.max(1, Math.ceil(((times[0]?.at ?? now) + ON_DEMAND_WINDOW_MS - now) / 1000));
	sql.exec(`INSERT INTO ${table} (at) VALUES (?)`, now);
	return null;
}
