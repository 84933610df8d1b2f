// The tenant's default webhook endpoint and the webhook.test event, against the fixture server's
// receiver, which verifies every delivery with the `standardwebhooks` package.
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Job } from "../../src/schemas/job";
import { api, postRender, waitForJob } from "../support/worker/api";
import { jsonRequest, paddedJson } from "../support/worker/bodies";
import { TEST_KEYS } from "../support/common/bindings";
import { expectError } from "../support/worker/errors";
import { receiver } from "../support/worker/receiver";

const json = (body: unknown) => ({ headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

function setEndpoint(body: Record<string, unknown>, key?: string): Promise<Response> {
	return api("/v1/webhooks/endpoint", { method: "PUT", ...json(body), key });
}

async function createRender(body: Record<string, unknown>, key?: string): Promise<Job> {
	const res = await postRender(body, { key });
	expect(res.status).toBe(202);
	return res.json();
}

// Endpoints are tenant state: leave none behind for other test files.
afterAll(async () => {
	for (const key of Object.values(TEST_KEYS)) await api("/v1/webhooks/endpoint", { method: "DELETE", key });
});

describe("tenant webhook endpoint", () => {
	it("a render without webhook delivers to its tenant's endpoint, never another tenant's", async () => {
		const globexHook = await receiver("ok", TEST_KEYS.globex);
		const burstHook = await receiver("ok", TEST_KEYS.burst);
		expect((await setEndpoint({ url: globexHook.url, headers: { "X-Tenant-Token": "globex-token" } }, TEST_KEYS.globex)).status).toBe(200);
		expect((await setEndpoint({ url: burstHook.url }, TEST_KEYS.burst)).status).toBe(200);

		const job = await createRender({ html: "<p>tenant hook</p>" }, TEST_KEYS.globex);
		await waitForJob(job.id, (j) => j.webhook?.status === "delivered", 45_000, TEST_KEYS.globex);
		const [hit, ...more] = await globexHook.received();
		expect(more).toEqual([]);
		expect(hit?.valid, hit?.error ?? "").toBe(true);
		expect(hit?.headers["x-tenant-token"]).toBe("globex-token");
		expect(JSON.parse(hit!.body)).toMatchObject({ type: "render.succeeded", data: { id: job.id } });
		expect(await burstHook.received()).toEqual([]);

		// The render's own webhook wins over the tenant's endpoint.
		const own = await receiver("ok", TEST_KEYS.globex);
		const second = await createRender({ html: "<p>own hook</p>", webhook: { url: own.url } }, TEST_KEYS.globex);
		await waitForJob(second.id, (j) => j.webhook?.status === "delivered", 45_000, TEST_KEYS.globex);
		expect(await own.received()).toHaveLength(1);
		expect(await globexHook.received()).toHaveLength(1);
	});

	it("GET shows the endpoint with header names only; DELETE removes it; events filter by type", async () => {
		const key = TEST_KEYS.lister;
		const hook = await receiver("ok", key);
		expect(
			(await setEndpoint({ url: hook.url, method: "PUT", headers: { Authorization: "Bearer hook-secret-value" }, events: ["render.failed"] }, key)).status,
		).toBe(200);
		const got = await api("/v1/webhooks/endpoint", { key });
		const text = await got.text();
		expect(JSON.parse(text)).toMatchObject({
			object: "webhook_endpoint",
			url: hook.url,
			method: "PUT",
			headerNames: ["Authorization"],
			events: ["render.failed"],
		});
		expect(text).not.toContain("hook-secret-value");

		// Filtered out: a success sends nothing and the job shows no webhook.
		const ok = await createRender({ html: "<p>filtered</p>" }, key);
		const done = await waitForJob(ok.id, undefined, 45_000, key);
		expect(done.status).toBe("succeeded");
		expect(done.webhook).toBeNull();
		// Wanted: a failure is sent.
		const bad = await createRender({ url: `${inject("closedOrigin")}/` }, key);
		await waitForJob(bad.id, (j) => j.webhook?.status === "delivered", 45_000, key);
		const hits = await hook.received();
		expect(hits.map((h) => JSON.parse(h.body).type)).toEqual(["render.failed"]);
		expect(hits[0]?.method).toBe("PUT");

		expect((await api("/v1/webhooks/endpoint", { method: "DELETE", key })).status).toBe(204);
		expect((await api("/v1/webhooks/endpoint", { key })).status).toBe(404);
		const none = await createRender({ html: "<p>no endpoint</p>" }, key);
		expect(none.webhook).toBeNull();
	});
});

describe("POST /v1/webhooks/test", () => {
	it("sends one signed webhook.test event and answers with the attempt", async () => {
		const hook = await receiver("ok");
		const res = await api("/v1/webhooks/test", { method: "POST", ...json({ url: hook.url }) });
		expect(res.status).toBe(200);
		const attempt = (await res.json()) as { httpStatus: number | null; durationMs: number; error: string | null };
		expect(attempt).toEqual({ httpStatus: 204, durationMs: expect.any(Number), error: null });
		const [hit, ...more] = await hook.received();
		expect(more).toEqual([]);
		expect(hit?.valid, hit?.error ?? "").toBe(true);
		expect(JSON.parse(hit!.body)).toMatchObject({ type: "webhook.test", data: { tenantId: "acme" } });
		expect(hit?.headers["webhook-id"]).toMatch(/^evt_test_[0-9a-f]{32}$/);
	});

	it("a 30 MB body is refused with 413 and sends nothing", async () => {
		const hook = await receiver("ok");
		const huge = paddedJson({ url: hook.url }, 30 * 1024 * 1024);
		await expectError(await api("/v1/webhooks/test", jsonRequest("POST", huge)), 413, "CONTENT_TOO_LARGE");
		// The event is sent while the request waits: nothing can arrive after its answer.
		expect(await hook.received()).toEqual([]);
	});

	it("a failing receiver is reported, not retried; the tenant endpoint is the default target", async () => {
		const hook = await receiver("always-500", TEST_KEYS.globex);
		expect((await setEndpoint({ url: hook.url }, TEST_KEYS.globex)).status).toBe(200);
		const res = await api("/v1/webhooks/test", { method: "POST", ...json({}), key: TEST_KEYS.globex });
		expect(await res.json()).toMatchObject({ httpStatus: 500, error: null });
		// A sentinel sent after it to the same failing endpoint: once its whole retry schedule has run,
		// a retry of the test event, due sooner, would have arrived too.
		const sentinel = await createRender({ html: "<p>sentinel</p>" }, TEST_KEYS.globex);
		await waitForJob(sentinel.id, (j) => j.webhook?.status === "failed", 45_000, TEST_KEYS.globex);
		const types = (await hook.received()).map((h) => JSON.parse(h.body).type);
		expect(types.filter((t) => t === "render.succeeded").length).toBeGreaterThan(1);
		expect(types.filter((t) => t === "webhook.test")).toEqual(["webhook.test"]);
		expect((await api("/v1/webhooks/endpoint", { method: "DELETE", key: TEST_KEYS.globex })).status).toBe(204);
	});

	it("is rate-limited per tenant", async () => {
		const hook = await receiver("ok", TEST_KEYS.burst);
		const statuses: number[] = [];
		for (let i = 0; i < 6; i++) statuses.push((await api("/v1/webhooks/test", { method: "POST", ...json({ url: hook.url }), key: TEST_KEYS.burst })).status);
		expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
		const limited = await api("/v1/webhooks/test", { method: "POST", ...json({ url: hook.url }), key: TEST_KEYS.burst });
		expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
		expect(await hook.received()).toHaveLength(5);
		// Another tenant is not limited by it.
		expect((await api("/v1/webhooks/test", { method: "POST", ...json({ url: (await receiver("ok")).url }) })).status).toBe(200);
	});
});
