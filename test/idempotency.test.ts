// Idempotency-Key: the same key and body within 24 h is the same job; another body is a 422.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { tenantStub, type TenantObject } from "../src/tenants/tenant-object";
import type { Job } from "../src/schemas/job";
import { api, postRender, waitForJob } from "./support/worker/api";
import { TEST_KEYS } from "./support/common/bindings";
import { expectError } from "./support/worker/errors";

const withKey = (key: string, tenant: string = TEST_KEYS.acme) => ({ headers: { "idempotency-key": key, "content-type": "application/json" }, key: tenant });

describe("Idempotency-Key", () => {
	it("replays the same job with 200 and Idempotent-Replayed: true", async () => {
		const key = crypto.randomUUID();
		const body = { html: "<p>once</p>", metadata: { order: "7" } };
		const first = await postRender(body, withKey(key));
		expect(first.status).toBe(202);
		expect(first.headers.get("idempotent-replayed")).toBeNull();
		const job = (await first.json()) as Job;
		const again = await postRender(body, withKey(key));
		expect(again.status).toBe(200);
		expect(again.headers.get("idempotent-replayed")).toBe("true");
		expect(((await again.json()) as Job).id).toBe(job.id);
		expect((await waitForJob(job.id)).attempts).toBe(1);
	});

	it("the same key with a different body → 422, and nothing is created", async () => {
		const key = crypto.randomUUID();
		expect((await postRender({ html: "<p>a</p>" }, withKey(key))).status).toBe(202);
		await expectError(await postRender({ html: "<p>b</p>" }, withKey(key)), 422, "IDEMPOTENCY_CONFLICT");
	});

	it("keys are per tenant", async () => {
		const key = crypto.randomUUID();
		const a = (await (await postRender({ html: "<p>t</p>" }, withKey(key, TEST_KEYS.acme))).json()) as Job;
		const res = await postRender({ html: "<p>t</p>" }, withKey(key, TEST_KEYS.globex));
		expect(res.status).toBe(202);
		expect(((await res.json()) as Job).id).not.toBe(a.id);
	});

	it("concurrent requests with one key create one job", async () => {
		const key = crypto.randomUUID();
		const responses = await Promise.all(Array.from({ length: 5 }, () => postRender({ html: "<p>race</p>" }, withKey(key))));
		const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as Job).id));
		expect(new Set(ids).size).toBe(1);
		expect(responses.filter((r) => r.status === 202)).toHaveLength(1);
		expect((await waitForJob(ids[0]!)).attempts).toBe(1);
	});

	it("a key is forgotten after 24 h", async () => {
		const key = crypto.randomUUID();
		const first = (await (await postRender({ html: "<p>old</p>" }, withKey(key))).json()) as Job;
		await runInDurableObject(tenantStub(env, "acme"), async (_i: TenantObject, state) => {
			state.storage.sql.exec("UPDATE idempotency SET created_at = created_at - 86400001 WHERE key = ?", key);
		});
		const res = await postRender({ html: "<p>old</p>" }, withKey(key));
		expect(res.status).toBe(202);
		expect(((await res.json()) as Job).id).not.toBe(first.id);
	});

	it("an invalid key → 400 naming the header", async () => {
		const error = await expectError(await postRender({ html: "<p>x</p>" }, withKey("x".repeat(256))), 400, "INVALID_REQUEST");
		expect(error.details?.[0]?.path).toBe("idempotency-key");
	});

	it("a synchronous replay answers with the same PDF", async () => {
		const key = crypto.randomUUID();
		const first = await postRender({ html: "<p>sync once</p>", async: false }, withKey(key));
		expect(first.status).toBe(200);
		const bytes = new Uint8Array(await first.arrayBuffer());
		const again = await postRender({ html: "<p>sync once</p>", async: false }, withKey(key));
		expect(again.headers.get("idempotent-replayed")).toBe("true");
		expect(again.headers.get("render-id")).toBe(first.headers.get("render-id"));
		expect(new Uint8Array(await again.arrayBuffer())).toEqual(bytes);
		expect((await api(`/v1/renders/${first.headers.get("render-id")}`)).status).toBe(200);
	});
});
