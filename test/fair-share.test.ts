// Fair share between tenants: TENANT_MAX_CONCURRENT_RENDERS caps a tenant's renders (queue and sync
// together); over it, queued jobs wait their turn and a synchronous render answers 429. A tenant
// whose pages spin to their deadline moves to the slow lane and delays nobody else.
import { env } from "cloudflare:workers";
import { describe, expect, it, onTestFinished } from "vitest";
import { api, getJob, postRender, waitForJob } from "./support/worker/api";
import { TEST_KEYS } from "./support/common/bindings";
import { deliver, storedJob } from "./support/worker/jobs";
import { runInDurableObject } from "cloudflare:test";
import { newJobId } from "../src/jobs/ids";
import { type TenantObject, tenantStub } from "../src/tenants/tenant-object";
import { expectError } from "./support/worker/errors";
import { captureLogs } from "./support/worker/logs";
import { saveTemplate, uniqueName } from "./support/worker/templates";
import type { Job } from "../src/schemas/job";

/** The jobs holding one of the tenant's render slots now, by id. */
function slotsHeld(tenantId: string): Promise<string[]> {
	return runInDurableObject(tenantStub(env, tenantId), async (_instance: TenantObject, state) =>
		state.storage.sql
			.exec<{ holder: string }>("SELECT holder FROM leases WHERE pool = 'render' AND until > ? ORDER BY holder", Date.now())
			.toArray()
			.map((row) => row.holder),
	);
}

const SPIN = "<p>spin</p><script>while (true) {}</script>";

async function accepted(res: Response): Promise<Job> {
	expect(res.status, await res.clone().text()).toBe(202);
	return res.json();
}

describe("per-tenant render cap", () => {
	it("a job over its tenant's cap is acked and sent again, not retried or failed, and renders later", async () => {
		const logs = captureLogs();
		onTestFinished(() => logs.restore());
		const jobs = await Promise.all([1, 2, 3].map((n) => storedJob({ tenantId: "acme" }, `<p>capped ${n}</p>`).then((s) => s.job)));
		const batch = await deliver(
			"edge-pdf-render",
			jobs.map((j) => ({ jobId: j.id })),
			{ ...env, TENANT_MAX_CONCURRENT_RENDERS: "2" },
		);
		// All three acked: two rendered, one waits its turn on a fresh message (no delivery counted against it).
		expect(batch.explicitAcks).toHaveLength(3);
		expect(batch.retryMessages).toHaveLength(0);
		// One of the three was refused a slot: it waits its turn on a fresh message, which may already be back
		// on a busy machine, so the batch's own log says which one waited.
		const handled = logs.records().filter((r) => r.msg === "render message handled" && jobs.some((j) => j.id === r.jobId));
		// (The fresh message's own line, should it be back already, comes after the batch's.)
		const firstResults = jobs.map((j) => handled.find((r) => r.jobId === j.id)?.result);
		expect(firstResults.sort()).toEqual(["succeeded", "succeeded", "wait"]);
		const waiting = handled.find((r) => r.result === "wait")!;
		// The queue brings it back and it renders once the tenant has a free slot; waiting cost it no attempt.
		expect(await waitForJob(String(waiting.jobId))).toMatchObject({ status: "succeeded", attempts: 1 });
	});

	it("a synchronous render over the cap answers 429 with Retry-After and creates no job", async () => {
		const tenant = tenantStub(env, "globex");
		const cap = Number(env.TENANT_MAX_CONCURRENT_RENDERS);
		const listed = async () => (await (await api("/v1/renders", { key: TEST_KEYS.globex })).json<{ data: Job[] }>()).data.map((j) => j.id);
		const before = await listed();
		// Hold every slot the tenant has free, whatever other tests left held; each is given back below.
		const holders: string[] = [];
		const hold = async () => {
			const jobId = newJobId();
			const grant = await tenant.acquireRenderSlot({ jobId, until: Date.now() + 60_000, cap, lane: "fast" });
			if (grant.kind === "granted") holders.push(jobId);
			return grant.kind === "granted";
		};
		try {
			for (let i = 0; i < cap && (await hold()); i++);
			expect(await hold(), "the tenant's slots are all held").toBe(false);
			const res = await postRender({ html: "<p>sync</p>", async: false }, { key: TEST_KEYS.globex });
			expect(res.status).toBe(429);
			expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
			expect(await res.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
			expect(await listed()).toEqual(before);

			// A freed slot lets the next synchronous render through.
			await tenant.releaseRenderSlot(holders.shift()!, false);
			const ok = await postRender({ html: "<p>sync</p>", async: false }, { key: TEST_KEYS.globex });
			expect(ok.status).toBe(200);
			expect(ok.headers.get("content-type")).toBe("application/pdf");
		} finally {
			await Promise.all(holders.map((jobId) => tenant.releaseRenderSlot(jobId, false)));
		}
	});
});

describe("a synchronous template render's slot", () => {
	it("is taken before the template is rendered, and a template error gives it back", async () => {
		const tenant = tenantStub(env, "acme");
		const cap = Number(env.TENANT_MAX_CONCURRENT_RENDERS);
		const broken = await saveTemplate(uniqueName("undefined-variable"), "<p>{{ customer.name }}</p>");
		const body = { template: { id: broken.id, data: {}, strict: true }, async: false };
		const holders = Array.from({ length: cap }, (_, i) => `ren_tplholder${i}`);
		for (const jobId of holders) expect(await tenant.acquireRenderSlot({ jobId, until: Date.now() + 60_000, cap, lane: "fast" })).toEqual({ kind: "granted" });
		try {
			// Every slot taken: refused before the template is rendered (its error would have been a 400).
			const full = await postRender(body);
			expect(Number(full.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
			await expectError(full, 429, "RATE_LIMITED");

			await tenant.releaseRenderSlot(holders[0]!, false);
			await expectError(await postRender(body), 400, "TEMPLATE_ERROR");
			// The failed render handed its slot back: only the holders' remain, and the free one serves the next render.
			expect(await slotsHeld("acme")).toEqual(holders.slice(1).sort());
			const ok = await postRender({ html: "<p>sync</p>", async: false });
			expect([ok.status, ok.headers.get("content-type")]).toEqual([200, "application/pdf"]);
		} finally {
			await Promise.all(holders.map((jobId) => tenant.releaseRenderSlot(jobId, false)));
		}
	});
});

describe("one tenant's slow pages do not delay another tenant", () => {
	it("20 spinning documents of tenant A; tenant B's 5 ordinary jobs submitted after them all succeed while A's are still waiting", async () => {
		const spinning = [];
		for (let i = 0; i < 20; i++) spinning.push(await accepted(await postRender({ html: SPIN, page: { timeoutMs: 3000 } }, { key: TEST_KEYS.burst })));
		const ordinary = [];
		for (let i = 0; i < 5; i++) ordinary.push(await accepted(await postRender({ html: `<h1>tenant B job ${i}</h1>` }, { key: TEST_KEYS.lister })));
		try {
			const done = await Promise.all(ordinary.map((job) => waitForJob(job.id, undefined, 30_000, TEST_KEYS.lister)));
			for (const job of done) expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
			// Behind tenant A in one line, B's jobs would finish after all of A's (each spins to its
			// 3 s deadline, at most TENANT_MAX_CONCURRENT_RENDERS at once): order, not a wall-clock bound,
			// shows that B did not wait for A, however slow the machine.
			const a = await Promise.all(spinning.map((job) => getJob(job.id, TEST_KEYS.burst)));
			const unfinished = a.filter((job) => job.status === "queued" || job.status === "rendering");
			expect(unfinished.length, "tenant A's jobs still waiting when B's were all done").toBeGreaterThan(0);
		} finally {
			// Tenant A's jobs would spin on in the background: cancel what is left.
			await Promise.all(spinning.map((job) => api(`/v1/renders/${job.id}`, { method: "DELETE", key: TEST_KEYS.burst })));
		}
	});
});
