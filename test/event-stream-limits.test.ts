// Event streams within budgets: at most MAX_OPEN_STREAMS open per tenant, counted as leases in the
// tenant's Durable Object (a closed, finished or dead stream frees its slot), and each stream ends
// after EVENT_STREAM_MAX_SECONDS, resumed with Last-Event-ID.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { RECONNECT_MS } from "../src/api/events";
import { MAX_OPEN_STREAMS, STREAM_LEASE_MS } from "../src/api/stream-slot";
import { migrate } from "../src/storage/sql-schema";
import { TENANT_MIGRATIONS, type TenantObject, tenantStub } from "../src/tenants/tenant-object";
import { api, getJob } from "./support/worker/api";
import { TEST_KEYS } from "./support/common/bindings";
import { storedJob } from "./support/worker/jobs";
import { poll } from "./support/worker/poll";
import { collectSse, readEventStream } from "./support/worker/sse";

/** Schema steps of a tenant object before stream slots: jobs, idempotency, render slots and lane, settings. */
const LEGACY_SCHEMA_VERSION = 8;

const open: Response[] = [];

/** GET the job's event stream; a 200 is kept open (and closed after the test). */
async function stream(jobId: string, key: string = TEST_KEYS.acme): Promise<Response> {
	const res = await api(`/v1/renders/${jobId}/events`, { key });
	if (res.status === 200) open.push(res);
	return res;
}

/** A queued job (stored without a queue message, so it stays queued) and the tenant's every stream slot open on it. */
async function fullTenant(): Promise<{ jobId: string; streams: Response[] }> {
	const { job } = await storedJob();
	const streams = [];
	for (let i = 0; i < MAX_OPEN_STREAMS; i++) streams.push(await stream(job.id));
	expect(streams.map((r) => r.status)).toEqual(Array(MAX_OPEN_STREAMS).fill(200));
	return { jobId: job.id, streams };
}

async function expectRefused(res: Response): Promise<void> {
	expect(res.status).toBe(429);
	expect(res.headers.get("content-type")).toMatch(/^application\/json/);
	expect(await res.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
	const retryAfter = Number(res.headers.get("retry-after"));
	expect(retryAfter).toBeGreaterThanOrEqual(1);
	expect(retryAfter).toBeLessThanOrEqual(5);
}

/** Opens a stream as soon as the tenant has a free slot (each refused attempt answers 429). */
function opensWithin(jobId: string, timeout: number): Promise<Response> {
	return poll(
		async () => {
			const res = await stream(jobId);
			if (res.status === 200) return res;
			await expectRefused(res);
			return undefined;
		},
		{ timeout, interval: 200 },
	);
}

afterEach(async () => {
	await Promise.all(open.splice(0).map((res) => res.body?.cancel().catch(() => undefined)));
});

describe("open event streams per tenant", () => {
	it("the 21st concurrent stream of a tenant answers 429 with Retry-After; another tenant still opens one", async () => {
		const { jobId } = await fullTenant();
		await expectRefused(await stream(jobId));
		const { job: theirs } = await storedJob({ tenantId: "globex" });
		expect((await stream(theirs.id, TEST_KEYS.globex)).status).toBe(200);
	});

	it("closing one of the streams frees its slot: a new stream then opens", async () => {
		const { jobId, streams } = await fullTenant();
		await expectRefused(await stream(jobId));
		// Read up to the first event, so the stream waits in its long poll as a live one does; then the client goes away.
		const reader = streams[0]!.body!.pipeThrough(new TextDecoderStream()).getReader();
		for (let text = ""; !text.includes("event: status"); ) text += (await reader.read()).value ?? "";
		await reader.cancel();
		// The stream notices at its next write (a keep-alive within 10 s) and releases its slot, well before its lease would lapse.
		expect((await opensWithin(jobId, STREAM_LEASE_MS - 5_000)).status).toBe(200);
	});

	it("streams that end with their job's terminal status release their slots", async () => {
		const { jobId, streams } = await fullTenant();
		await expectRefused(await stream(jobId));
		expect((await api(`/v1/renders/${jobId}`, { method: "DELETE" })).status).toBe(200);
		const ended = await Promise.all(streams.map((res) => collectSse(res.body!)));
		expect(ended.map((s) => s.events.at(-1)?.data.status)).toEqual(Array(MAX_OPEN_STREAMS).fill("canceled"));
		const { job: next } = await storedJob();
		expect((await opensWithin(next.id, STREAM_LEASE_MS - 5_000)).status).toBe(200);
	});

	it("a stream whose Worker died (its lease never renewed nor released) frees its slot when the lease lapses", async () => {
		const tenant = tenantStub(env, "acme");
		// Live for a few seconds (long enough to be counted below, even on a busy machine), then never renewed.
		const until = Date.now() + 8_000;
		for (let i = 0; i < MAX_OPEN_STREAMS; i++) {
			expect(await tenant.acquireStreamSlot({ holder: `dead-${i}`, until, cap: MAX_OPEN_STREAMS })).toEqual({ kind: "granted" });
		}
		const { job } = await storedJob();
		await expectRefused(await stream(job.id));
		expect((await opensWithin(job.id, 25_000)).status).toBe(200);
	});
});

describe("a stream's time limit", () => {
	it("a stream ends after its maximum duration; a reconnect with Last-Event-ID resumes after the last event without repeating one", async () => {
		const { job } = await storedJob();
		const short = { ...env, EVENT_STREAM_MAX_SECONDS: "1" };
		const res = await api(`/v1/renders/${job.id}/events`, { env: short });
		expect(res.status).toBe(200);
		const text = await res.text();
		// The server tells reconnecting clients how soon to come back.
		expect(text.startsWith(`retry: ${RECONNECT_MS}\n\n`)).toBe(true);
		const first = await collectSse(new Response(text).body!);
		expect(first.events.map((e) => [e.event, e.data.status])).toEqual([["status", "queued"]]);
		// It ended on time, not because the job did.
		expect((await getJob(job.id)).status).toBe("queued");

		expect((await api(`/v1/renders/${job.id}`, { method: "DELETE" })).status).toBe(200);
		const resumed = await readEventStream(job.id, { lastEventId: first.events[0]!.id, env: short, timeoutMs: 15_000 });
		expect(resumed.events.map((e) => [e.event, e.data.status])).toEqual([["status", "canceled"]]);
		expect(resumed.events[0]!.id).toBeGreaterThan(first.events[0]!.id);
	});
});

describe("a tenant object stored before stream slots", () => {
	it("upgrades in place: its render slots carry over into the lease table and stream slots work", async () => {
		const name = "legacy-tenant";
		// Exactly what the previous code left: its 8 schema steps, and a render slot in use.
		await runInDurableObject(tenantStub(env, name), async (_instance: TenantObject, state) => {
			const sql = state.storage.sql;
			for (const { name: table } of sql
				.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 4) <> '_cf_'")
				.toArray()) {
				sql.exec(`DROP TABLE "${table}"`);
			}
			migrate(sql, TENANT_MIGRATIONS.slice(0, LEGACY_SCHEMA_VERSION));
			sql.exec("INSERT INTO render_slots (job_id, until) VALUES ('ren_rendering', ?)", Date.now() + 60_000);
		});
		// The next instance (after a deploy or an eviction) runs the migrations in its constructor. The abort
		// that evicts this one is reported by workerd as an "uncaught exception" line: expected.
		await runInDurableObject(tenantStub(env, name), async (_instance: TenantObject, state) => state.abort("evicted")).catch(() => undefined);
		const tenant = tenantStub(env, name);
		expect(await tenant.acquireRenderSlot({ jobId: "ren_next", until: Date.now() + 60_000, cap: 1, lane: "fast" })).toMatchObject({ kind: "wait" });
		await tenant.releaseRenderSlot("ren_rendering", false);
		expect(await tenant.acquireRenderSlot({ jobId: "ren_next", until: Date.now() + 60_000, cap: 1, lane: "fast" })).toEqual({ kind: "granted" });
		expect(await tenant.acquireStreamSlot({ holder: "s1", until: Date.now() + 60_000, cap: 1 })).toEqual({ kind: "granted" });
		expect(await tenant.acquireStreamSlot({ holder: "s2", until: Date.now() + 60_000, cap: 1 })).toMatchObject({ kind: "wait" });
		const tables = await runInDurableObject(tenant, async (_instance: TenantObject, state) =>
			state.storage.sql
				.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
				.toArray()
				.map((r) => r.name),
		);
		expect(tables).not.toContain("render_slots");
	});
});
