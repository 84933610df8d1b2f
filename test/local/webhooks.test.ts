// Webhook delivery end to end: real renders, the real webhook queue, and a real HTTP receiver that
// verifies every event with the `standardwebhooks` package. Schedule here: 1,1,1 (4 attempts).
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import type { Job } from "../../src/schemas/job";
import { attemptDelivery } from "../../src/webhooks/deliver";
import { api, postRender, renderToEnd, waitForJob, waitForWebhook } from "../support/worker/api";
import { deliver, editRecord, queueRecorder, readRecord, storedJob, webhookTo, withObjectEnv } from "../support/worker/jobs";
import { captureLogs } from "../support/worker/logs";
import { storedDocuments } from "../support/worker/pdf";
import { poll } from "../support/worker/poll";
import { receiver } from "../support/worker/receiver";

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

const storedWebhook = async (id: string) => (await readRecord(id)).webhook;

describe("webhook delivery", () => {
	it("delivers one signed render.succeeded event that standardwebhooks verifies", async () => {
		const { hook, job } = await renderWithHook("ok", { metadata: { invoiceId: "42" } });
		const done = await waitForWebhook(job.id, ["delivered"]);
		const [hit, ...more] = await hook.received();
		expect(more).toEqual([]);
		expect(hit?.valid, hit?.error ?? "").toBe(true);
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
		expect(hits.every((h) => h.valid)).toBe(true);
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
		await poll(async () => (await storedWebhook(job.id))?.deadLettered, { timeout: 10_000 });
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
		expect(second!.arrivedAt - first!.arrivedAt).toBeGreaterThanOrEqual(2900);
	});

	it("503 with Retry-After as an HTTP date: the next attempt waits until that date", async () => {
		const { hook, job } = await renderWithHook("unavailable-date");
		const done = await waitForWebhook(job.id, ["delivered"]);
		const [first, second, ...more] = await hook.received();
		expect(more).toEqual([]);
		expect(done.webhook?.attempts.map((a) => a.httpStatus)).toEqual([503, 200]);
		// The date was 4 s ahead, at 1 s resolution; the schedule alone would have retried after 1 s.
		expect(second!.arrivedAt - first!.arrivedAt).toBeGreaterThanOrEqual(2900);
	});

	it("a network error is recorded and retried on the schedule, then failed through the dead-letter queue", async () => {
		const job = await renderToEnd({ html: "<h1>hooked</h1>", webhook: { url: `${inject("closedOrigin")}/hook` } });
		const done = await waitForWebhook(job.id, ["failed"]);
		expect(done.webhook?.attempts).toHaveLength(4);
		for (const attempt of done.webhook?.attempts ?? []) {
			expect(attempt.httpStatus).toBeNull();
			expect(attempt.error).toMatch(/^request failed/);
		}
		await poll(async () => (await storedWebhook(job.id))?.deadLettered, { timeout: 10_000 });
	});

	it("a copy of the message while the first attempt is in flight is retried after the lease, not sent", async () => {
		const hook = await receiver("hold-first");
		const job = await renderToEnd({ html: "<h1>hooked</h1>", webhook: { url: hook.url } });
		// The first attempt has reached the receiver, which holds its answer back.
		await poll(async () => (await hook.received()).length === 1);
		const copy = await deliver("edge-pdf-webhooks", [{ jobId: job.id, series: 1 }]);
		expect(copy.explicitAcks).toEqual([]);
		expect(copy.retryMessages).toHaveLength(1);
		const { leaseUntil } = (await storedWebhook(job.id))!;
		expect(copy.delays[0]! * 1000).toBeGreaterThanOrEqual(leaseUntil! - Date.now());
		await hook.release();
		const done = await waitForWebhook(job.id, ["delivered"]);
		expect(done.webhook?.attempts.map((a) => a.httpStatus)).toEqual([200]);
		expect(await hook.received()).toHaveLength(1);
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
		const { hook, job } = await renderWithHook(
			"ok",
			{},
			{
				method: "PUT",
				headers: {
					"X-Customer-Ref": "abc-123",
					"webhook-signature": "v1,forged",
					"Webhook-Id": "evil",
					"webhook-timestamp": "1",
					"Content-Type": "text/plain",
					Host: "evil.example",
					"Content-Length": "3",
				},
			},
		);
		await waitForWebhook(job.id, ["delivered"]);
		const [hit] = await hook.received();
		expect(hit?.method).toBe("PUT");
		expect(hit?.headers["x-customer-ref"]).toBe("abc-123");
		expect(hit?.headers["webhook-id"]).toMatch(/^evt_/);
		expect(hit?.headers["webhook-signature"]).not.toContain("forged");
		expect(hit?.headers["content-type"]).toBe("application/json");
		expect(hit?.headers.host).toBe(new URL(hook.url).host);
		expect(hit?.headers["content-length"]).toBe(String(new TextEncoder().encode(hit?.body).byteLength));
		expect(hit?.valid).toBe(true);
	});

	it("the same event delivered twice by the queue is sent once", async () => {
		const { hook, job } = await renderWithHook("ok");
		await waitForWebhook(job.id, ["delivered"]);
		const copies = await deliver(
			"edge-pdf-webhooks",
			[
				{ jobId: job.id, series: 1 },
				{ jobId: job.id, series: 1 },
			],
			env,
			2,
		);
		expect(copies.explicitAcks.sort()).toEqual(copies.ids.sort());
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
		expect(await storedDocuments(job.id)).toHaveLength(1);
		// One event, sent once: a single series with a single attempt, and one request received.
		expect(await storedWebhook(job.id)).toMatchObject({ series: 1, seriesAttempts: 1, enqueuePending: false });
		const hits = await hook.received();
		expect(hits).toHaveLength(1);
		expect(JSON.parse(hits[0]!.body).type).toBe("render.succeeded");
	});

	it("a render that fails sends render.failed with its error code", async () => {
		const hook = await receiver("ok");
		const res = await postRender({ url: `${inject("closedOrigin")}/`, webhook: { url: hook.url } });
		const { id } = (await res.json()) as { id: string };
		await waitForWebhook(id, ["delivered"]);
		const event = JSON.parse((await hook.received())[0]!.body) as Event;
		expect(event.type).toBe("render.failed");
		expect(event.data.error?.code).toBe("NAVIGATION_FAILED");
		expect(event.data.document).toBeNull();
	});

	it("a job canceled while rendering stores no PDF and sends render.canceled", async () => {
		const hook = await receiver("ok");
		const logs = captureLogs();
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
		// The consumer finishes its print after the cancel, is refused by the job, and must not leave a document behind.
		try {
			expect(await logs.waitFor({ msg: "render message handled", jobId: id })).toMatchObject({ result: "skipped" });
		} finally {
			logs.restore();
		}
		expect(await storedDocuments(id)).toEqual([]);
		const job = await waitForJob(id);
		expect(job.status).toBe("canceled");
		expect(job.document).toBeNull();
	});

	it("POST /v1/renders/{id}/webhook redelivers the same event in a new series", async () => {
		const { hook, job } = await renderWithHook("ok");
		await waitForWebhook(job.id, ["delivered"]);
		const res = await api(`/v1/renders/${job.id}/webhook`, { method: "POST" });
		expect(res.status).toBe(202);
		await poll(async () => (await hook.received()).length === 2, { timeout: 10_000 });
		const [first, second] = await hook.received();
		expect(second?.headers["webhook-id"]).toBe(first?.headers["webhook-id"]);
		expect(second?.body).toBe(first?.body);
		expect(second?.valid).toBe(true);
		const done = await waitForWebhook(job.id, ["delivered"]);
		expect(done.webhook?.attempts).toHaveLength(2);
	});

	it("redelivery is refused for a job without a webhook, and for another tenant's job", async () => {
		const plain = await renderToEnd({ html: "<p>no hook</p>" });
		expect((await api(`/v1/renders/${plain.id}/webhook`, { method: "POST" })).status).toBe(409);
		expect((await api(`/v1/renders/${plain.id}/webhook`, { method: "POST", key: "test_key_globex" })).status).toBe(404);
	});
});

describe("webhook attempts whose sender is slow or gone", () => {
	/** Lets the webhook's in-flight attempt lease run out now, as if its sender had been gone that long. */
	const lapseLease = (id: string) =>
		editRecord(id, (r) => {
			r.webhook!.leaseUntil = Date.now() - 1;
		});

	it("a receiver answering after its attempt's lease lapsed, nobody else sending: its answer counts, recorded once; a later copy sends nothing", async () => {
		const hook = await receiver("hold-first");
		const job = await renderToEnd({ html: "<h1>slow receiver</h1>", webhook: { url: hook.url } });
		await poll(async () => (await hook.received()).length === 1);
		await lapseLease(job.id);
		await hook.release();
		const done = await waitForWebhook(job.id, ["delivered"]);
		expect(done.webhook?.attempts.map((a) => a.httpStatus)).toEqual([200]);
		const copy = await deliver("edge-pdf-webhooks", [{ jobId: job.id, series: 1 }], env, 2);
		expect(copy.explicitAcks).toEqual(copy.ids);
		expect(await hook.received()).toHaveLength(1);
		expect(await storedWebhook(job.id)).toMatchObject({ series: 1, seriesAttempts: 1, status: "delivered" });
	});

	it("a receiver answering after its lease lapsed and a copy took over: the same event was sent twice, one attempt is recorded, the late answer is not", async () => {
		const hook = await receiver("hold-first");
		const job = await renderToEnd({ html: "<h1>slow receiver</h1>", webhook: { url: hook.url } });
		await poll(async () => (await hook.received()).length === 1);
		const { eventId, eventBody } = (await storedWebhook(job.id))!;
		await lapseLease(job.id);
		// The queue's copy of the message finds the lease lapsed: it sends the event and records the answer.
		const copy = await deliver("edge-pdf-webhooks", [{ jobId: job.id, series: 1 }], env, 2);
		expect(copy.explicitAcks).toEqual(copy.ids);
		expect(await storedWebhook(job.id)).toMatchObject({ status: "delivered", seriesAttempts: 2, attempts: [{ httpStatus: 200 }] });
		// Only now does the receiver answer the first attempt: its sender finds the event delivered.
		const logs = captureLogs();
		try {
			await hook.release();
			expect(await logs.waitFor({ msg: "webhook attempt", jobId: job.id, attempt: 1 })).toMatchObject({ httpStatus: 200, result: "stale" });
		} finally {
			logs.restore();
		}
		const w = await storedWebhook(job.id);
		expect(w).toMatchObject({ status: "delivered", series: 1, seriesAttempts: 2, eventId, eventBody });
		expect(w?.attempts).toHaveLength(1);
		const hits = await hook.received();
		expect(hits).toHaveLength(2);
		expect(hits.map((h) => [h.webhookId, h.body, h.valid])).toEqual([
			[eventId, eventBody, true],
			[eventId, eventBody, true],
		]);
	});

	it("a late failing answer while a copy of the attempt is in flight is stale: the copy's success is recorded and the event is not sent again", async () => {
		const hook = await receiver("rate-limited");
		const { job, stub } = await storedJob({ webhook: webhookTo(hook.url) }, "<p>canceled</p>");
		// The job ends with its one event recorded; its queue message is held here, so no consumer runs yet.
		const outbox = queueRecorder();
		await withObjectEnv(stub, { WEBHOOK_QUEUE: outbox }, (instance) => instance.cancel("acme"));

		// The first sender sends attempt 1; the receiver's failing answer (429) is slow to reach the job.
		const first = await stub.beginWebhookAttempt(1);
		if (first.kind !== "send") throw new Error(`expected to send, got ${first.kind}`);
		const lateFailure = await attemptDelivery(env, first.delivery);
		expect(lateFailure.httpStatus).toBe(429);
		await lapseLease(job.id);
		// Its lease lapsed: a copy of the message takes over as attempt 2, and the receiver accepts it.
		const copy = await stub.beginWebhookAttempt(1);
		if (copy.kind !== "send") throw new Error(`expected to send, got ${copy.kind}`);
		expect(copy.attempt).toBe(2);
		const success = await attemptDelivery(env, copy.delivery);
		expect(success.httpStatus).toBe(200);

		// Attempt 1's answer arrives while the copy is still in flight: stale, nothing recorded, nothing set back.
		expect(await stub.endWebhookAttempt({ series: 1, attempt: first.attempt }, lateFailure)).toEqual({ kind: "stale" });
		expect(await storedWebhook(job.id)).toMatchObject({ status: "delivering", seriesAttempts: 2, attempts: [], nextAttemptAt: null });
		expect(await stub.endWebhookAttempt({ series: 1, attempt: copy.attempt }, success)).toEqual({ kind: "delivered" });

		// The queue's message, never acknowledged, comes again: it finds the event delivered and sends nothing.
		const again = await deliver("edge-pdf-webhooks", [{ jobId: job.id, series: 1 }], env, 2);
		expect(again.explicitAcks).toEqual(again.ids);
		expect(await hook.received()).toHaveLength(2);
		const w = await storedWebhook(job.id);
		expect(w).toMatchObject({ status: "delivered", series: 1, seriesAttempts: 2 });
		expect(w?.attempts.map((a) => a.httpStatus)).toEqual([200]);
	});

	it("a consumer that dies after sending, before recording: the queue's redelivery sends the same event id and body again, and records it", async () => {
		const hook = await receiver("ok");
		const { job, stub } = await storedJob({ webhook: webhookTo(hook.url) }, "<p>canceled</p>");
		// The job ends with its one event recorded; its queue message is held here, so no consumer runs yet.
		const outbox = queueRecorder();
		await withObjectEnv(stub, { WEBHOOK_QUEUE: outbox }, (instance) => instance.cancel("acme"));
		expect(outbox.sent).toEqual([{ jobId: job.id, series: 1 }]);
		const { eventId, eventBody } = (await storedWebhook(job.id))!;

		// A consumer takes the attempt and sends the event exactly as the webhook consumer does, then dies.
		const turn = await stub.beginWebhookAttempt(1);
		if (turn.kind !== "send") throw new Error(`expected to send, got ${turn.kind}`);
		expect((await attemptDelivery(env, turn.delivery)).httpStatus).toBe(204);
		await lapseLease(job.id);

		// The message was never acknowledged: the queue delivers it again.
		const again = await deliver("edge-pdf-webhooks", [{ jobId: job.id, series: 1 }], env, 2);
		expect(again.explicitAcks).toEqual(again.ids);
		const hits = await hook.received();
		expect(hits.map((h) => [h.webhookId, h.body, h.valid, h.type])).toEqual([
			[eventId, eventBody, true, "render.canceled"],
			[eventId, eventBody, true, "render.canceled"],
		]);
		const w = await storedWebhook(job.id);
		expect(w).toMatchObject({ status: "delivered", series: 1, seriesAttempts: 2, eventId, eventBody });
		// The dead consumer's attempt left no record; the redelivery's is the one.
		expect(w?.attempts.map((a) => a.httpStatus)).toEqual([204]);
	});
});
