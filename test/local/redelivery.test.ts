// POST /v1/renders/{id}/webhook is capped per job: 5 attempt series (the first delivery and 4
// redeliveries); past it 429 RATE_LIMITED with Retry-After. The webhook's own headers, sealed at
// rest, still reach the receiver on every series.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { jobStub } from "../../src/jobs/ids";
import type { JobObject } from "../../src/jobs/job-object";
import { MAX_WEBHOOK_SERIES } from "../../src/webhooks/state";
import { api, renderToEnd, waitForWebhook } from "../support/worker/api";
import { receiver } from "../support/worker/receiver";

const HOOK_SECRET = "hook-header-secret-51c7";

describe("redelivery cap", () => {
	it("allows 4 redeliveries, then answers 429 with Retry-After; every series carries the sealed headers", async () => {
		const hook = await receiver("ok");
		const job = await renderToEnd({ html: "<p>capped</p>", webhook: { url: hook.url, headers: { "X-Hook-Key": HOOK_SECRET } } });
		await waitForWebhook(job.id, ["delivered"]);
		const stored = await runInDurableObject(
			jobStub(env, job.id),
			async (_i: JobObject, state) => state.storage.sql.exec<{ record: string }>("SELECT record FROM job").one().record,
		);
		expect(stored).not.toContain(HOOK_SECRET);

		for (let series = 2; series <= MAX_WEBHOOK_SERIES; series++) {
			const res = await api(`/v1/renders/${job.id}/webhook`, { method: "POST" });
			expect(res.status, `series ${series}`).toBe(202);
			await expect.poll(async () => (await hook.received()).length, { timeout: 10_000 }).toBe(series);
		}
		const refused = await api(`/v1/renders/${job.id}/webhook`, { method: "POST" });
		expect(refused.status).toBe(429);
		expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
		expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");

		const hits = await hook.received();
		expect(hits).toHaveLength(MAX_WEBHOOK_SERIES);
		for (const hit of hits) {
			expect(hit.valid).toBe(true);
			expect(hit.headers["x-hook-key"]).toBe(HOOK_SECRET);
		}
	});
});
