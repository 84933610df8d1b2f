// Webhook delivery end to end: real renders, the real webhook queue, and a real HTTP receiver that
// verifies every event with the `standardwebhooks` package. Schedule here: 1,1,1 (4 attempts).
import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { jobStub } from "../../src/jobs/ids";
import type { JobObject } from "../../src/jobs/job-object";
import type { JobRecord } from "../../src/jobs/record";
import type { Job } from "../../src/schemas/job";
import { api, postRender, renderToEnd, waitForJob } from "../support/api";
import { deliver, storedJob, webhookTo } from "../support/jobs";
import { receiver, waitForWebhook } from "../support/receiver";

interface Event {
	type: string;
	timestamp: string;
	data: Job;
}

async function renderWithHook(scenario: string, extra: Record<string, unknown> = {}, webhook: Record<string, unknown> = {}) {
	const hook = await receiver(scenario);
	const job = await renderToEnd({ html: "<h1>hooked</h1>", ...extra, webhook: { url: hook.url, ...webhook } });
	return { hook, job };
}

function storedWebhook(id: string): Promise<JobRecord["webhook"]> {
	return runInDurableObject(jobStub(env, id), async (_i: JobObject, state) => {
		const row = state.storage.sql.exec<{ record: string }>("SELECT record FROM job").one();
		return (JSON.parse(row.record) as JobRecord).webhook;
	});
}

describe("webhook delivery", () => {
	it("delivers one signed render.succeeded event that standardwebhooks verifies", async () => {
		const { hook, job } = await renderWithHook("ok", { metadata: { invoiceId: "42" } });
		const done = await waitForWebhook(job.id, ["delivered"]);
		const [hit, ...more] = await hook.received();
		expect(more).toEqual([]);
		expect(hit?.verified, hit?.verifyError ?? "").toBe(true);
		expect(hit?.method).toBe("POST");
		expect(hit?.headers["content-type"]).toBe("application/json");
		expect(hit?.headers["user-agent"]).toMatch(/^edge-pdf\/\d+\.\d+\.\d+$/);
		expect(hit?.headers["webhook-id"]).not.toContain(".");
		expect(Number(hit?.headers["webhook-timestamp"])).toBeCloseTo(Date.now() / 1000, -2);
		const event = JSON.parse(hit!.body) as Event;
		expect(event.type).toBe("render.succeeded");
		expect(event.data.id).toBe(job.id);
		expect(event.data.status).toBe("succeeded");
		expect(event.data.metadata).toEqual({ invoiceId: "42" });
		expect(event.data.document?.url).toContain(`/v1/files/${job.id}?expires=`);
		expect(event.data).not.toHaveProperty("webhook");
		expect(done.webhook?.attempts).toHaveLength(1);
		expect(done.webhook?.attempts[0]?.httpStatus).toBe(204);
		expect(done.webhook?.nextAttemptAt).toBeNull();
	});

	it("500, 500, then 200: delivered on attempt 3 with the same id and body each time", async () => {
		const { hook, job } = await renderWithHook("fail-twice");
		const done = await waitForWebhook(job.id, ["delivered"]);
		const hits = await hook.received();
		expect(hits).toHaveLength(3);
		expect(hits.every((h) => h.verified)).toBe(true);
		expect(new Set(hits.map((h) => h.headers["webhook-id"])).size).toBe(1);
		expect(new Set(hits.map((h) => h.body)).size).toBe(1);
		expect(done.webhook?.attempts.map((a) => a.httpStatus)).toEqual([500, 500, 200]);
		expect(done.webhook?.attempts.every((a) => a.durationMs >= 0 && Date.parse(a.at) > 0)).toBe(true);
	});

	it("always 500: failed after the whole schedule, through the dead-letter queue", async () => {
		const { hook, job } = await renderWithHook("always-500");
		const done = await waitForWebhook(job.id, ["failed"]);
		expect(await hook.received()).toHaveLength(4);
		expect(done.webhook?.attempts.map((a) => a.httpStatus)).toEqual([500, 500, 500, 500]);
		await expect.poll(async () => (await storedWebhook(job.id))?.deadLettered, { timeout: 10_000 }).toBe(true);
	});

	it("410 stops at once", async () => {
		const { hook, job } = await renderWithHook("gone");
		const done = await waitForWebhook(job.id, ["failed"]);
		expect(await hook.received()).toHaveLength(1);
		expect(done.webhook?.attempts.map((a) => a.httpStatus)).toEqual([410]);
		expect((await storedWebhook(job.id))?.deadLettered).toBe(false);
	});

	it("429 with Retry-After: the next attempt waits for it, not for the schedule", async () => {
		const { hook, job } = await renderWithHook("rate-limited");
		await waitForWebhook(job.id, ["delivered"]);
		const [first, second] = await hook.received();
		expect(second!.at - first!.at).toBeGreaterThanOrEqual(2900);
	});

	it("a hanging receiver times out after 15 s and the event is retried", async () => {
		const { hook, job } = await renderWithHook("hang-once");
		const done = await waitForWebhook(job.id, ["delivered"], 60_000);
		expect(await hook.received()).toHaveLength(2);
		expect(done.webhook?.attempts[0]?.httpStatus).toBeNull();
		expect(done.webhook?.attempts[0]?.error).toMatch(/15 s/);
		expect(done.webhook?.attempts[0]?.durationMs).toBeGreaterThanOrEqual(14_900);
		expect(done.webhook?.attempts[1]?.httpStatus).toBe(200);
	}, 90_000);

	it("redirects are not followed", async () => {
		const { hook, job } = await renderWithHook("redirect");
		const done = await waitForWebhook(job.id, ["failed"]);
		expect(await hook.received()).toHaveLength(4);
		expect(done.webhook?.attempts[0]).toMatchObject({ httpStatus: 302, error: "redirects are not followed" });
	});

	it("custom headers and method arrive; they cannot override the signature headers", async () => {
		const { hook, job } = await renderWithHook("ok", {}, {
			method: "PUT",
			headers: { "X-Customer-Ref": "abc-123", "webhook-signature": "v1,forged", "Webhook-Id": "evil", "webhook-timestamp": "1", "Content-Type": "text/plain" },
		});
		await waitForWebhook(job.id, ["delivered"]);
		const [hit] = await hook.received();
		expect(hit?.method).toBe("PUT");
		expect(hit?.headers["x-customer-ref"]).toBe("abc-123");
		expect(hit?.headers["webhook-id"]).toMatch(/^evt_/);
		expect(hit?.headers["webhook-signature"]).not.toContain("forged");
		expect(hit?.headers["content-type"]).toBe("application/json");
		expect(hit?.verified).toBe(true);
	});

	it("the same event delivered twice by the queue is sent once", async () => {
		const { hook, job } = await renderWithHook("ok");
		await waitForWebhook(job.id, ["delivered"]);
		const batch = createMessageBatch("edge-pdf-webhooks", [
			{ id: "dup-a", timestamp: new Date(), attempts: 2, body: { jobId: job.id, series: 1 } },
			{ id: "dup-b", timestamp: new Date(), attempts: 2, body: { jobId: job.id, series: 1 } },
		]);
		const ctx = createExecutionContext();
		await worker.queue(batch, env);
		expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(["dup-a", "dup-b"]);
		expect(await hook.received()).toHaveLength(1);
		const after = await waitForJob(job.id);
		expect(after.webhook?.attempts).toHaveLength(1);
	});

	it("a render message delivered twice at once stores one document and sends one event", async () => {
		const hook = await receiver("ok");
		const { job } = await storedJob({ webhook: webhookTo(hook.url) }, "<p>twice</p>");
		await deliver("edge-pdf-render", [{ jobId: job.id }, { jobId: job.id }]);
		await deliver("edge-pdf-render", [{ jobId: job.id }]);
		const done = await waitForWebhook(job.id, ["delivered"]);
		expect(done).toMatchObject({ status: "succeeded", attempts: 1 });
		expect((await env.DOCUMENTS.list({ prefix: `documents/acme/${job.id}` })).objects).toHaveLength(1);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const hits = await hook.received();
		expect(hits).toHaveLength(1);
		expect(JSON.parse(hits[0]!.body).type).toBe("render.succeeded");
	});

	it("a render that fails sends render.failed with its error code", async () => {
		const hook = await receiver("ok");
		const res = await postRender({ url: "http://127.0.0.1:59999/", webhook: { url: hook.url } });
		const { id } = (await res.json()) as { id: string };
		await waitForWebhook(id, ["delivered"]);
		const event = JSON.parse((await hook.received())[0]!.body) as Event;
		expect(event.type).toBe("render.failed");
		expect(event.data.error?.code).toBe("NAVIGATION_FAILED");
		expect(event.data.document).toBeNull();
	});

	it("a job canceled while rendering stores no PDF and sends render.canceled", async () => {
		const hook = await receiver("ok");
		const res = await postRender({ html: "<p>slow</p>", page: { delayMs: 3000 }, webhook: { url: hook.url } });
		const { id } = (await res.json()) as { id: string };
		await waitForJob(id, (j) => j.status === "rendering");
		const canceled = await api(`/v1/renders/${id}`, { method: "DELETE" });
		expect(canceled.status).toBe(200);
		expect(((await canceled.json()) as Job).status).toBe("canceled");
		await waitForWebhook(id, ["delivered"]);
		const hits = await hook.received();
		expect(hits).toHaveLength(1);
		const event = JSON.parse(hits[0]!.body) as Event;
		expect(event.type).toBe("render.canceled");
		expect(event.data.error?.code).toBe("CANCELED");
		// The consumer finishes its print after the cancel; it must not leave a document behind.
		await new Promise((resolve) => setTimeout(resolve, 4000));
		expect(await env.DOCUMENTS.head(`documents/acme/${id}.pdf`)).toBeNull();
		const job = await waitForJob(id);
		expect(job.status).toBe("canceled");
		expect(job.document).toBeNull();
	});

	it("POST /v1/renders/{id}/webhook redelivers the same event in a new series", async () => {
		const { hook, job } = await renderWithHook("ok");
		await waitForWebhook(job.id, ["delivered"]);
		const res = await api(`/v1/renders/${job.id}/webhook`, { method: "POST" });
		expect(res.status).toBe(202);
		await expect.poll(async () => (await hook.received()).length, { timeout: 10_000 }).toBe(2);
		const [first, second] = await hook.received();
		expect(second?.headers["webhook-id"]).toBe(first?.headers["webhook-id"]);
		expect(second?.body).toBe(first?.body);
		expect(second?.verified).toBe(true);
		const done = await waitForWebhook(job.id, ["delivered"]);
		expect(done.webhook?.attempts).toHaveLength(2);
	});

	it("redelivery is refused for a job without a webhook, and for another tenant's job", async () => {
		const plain = await renderToEnd({ html: "<p>no hook</p>" });
		expect((await api(`/v1/renders/${plain.id}/webhook`, { method: "POST" })).status).toBe(409);
		expect((await api(`/v1/renders/${plain.id}/webhook`, { method: "POST", key: "test_key_globex" })).status).toBe(404);
	});
});
