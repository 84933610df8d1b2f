// The job state machine, the Durable Object's RPC contract, the watchdog and duplicate deliveries.
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LEASE_MARGIN_MS, QUEUED_WATCHDOG_MS, type JobObject } from "../src/jobs/job-object";
import { canTransition, IllegalTransition, isTerminal, transition, type JobRecord } from "../src/jobs/record";
import { JOB_STATUSES } from "../src/schemas/job";
import { getJob, renderToEnd, waitForJob } from "./support/api";
import { deliver, editRecord, jobRecord, queueRecorder, readRecord, storedJob, webhookTo, withObjectEnv } from "./support/jobs";
import { captureLogs } from "./support/logs";

const record = jobRecord;
const stored = (overrides: Partial<JobRecord> = {}) => storedJob(overrides);

describe("state machine", () => {
	it("allows exactly the documented transitions", () => {
		const allowed = JOB_STATUSES.flatMap((from) => JOB_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
		expect(allowed.sort()).toEqual(
			[
				"queued->rendering",
				"queued->failed",
				"queued->canceled",
				"rendering->queued",
				"rendering->succeeded",
				"rendering->failed",
				"rendering->canceled",
			].sort(),
		);
		expect(JOB_STATUSES.filter(isTerminal)).toEqual(["succeeded", "failed", "canceled"]);
	});

	it("refuses illegal transitions and leaves the job as it was", () => {
		const job = record();
		expect(() => transition(job, "succeeded", Date.now())).toThrow(IllegalTransition);
		expect(job.status).toBe("queued");
		transition(job, "rendering", Date.now());
		transition(job, "failed", Date.now());
		for (const to of JOB_STATUSES) expect(() => transition(job, to, Date.now())).toThrow(IllegalTransition);
		expect(job.status).toBe("failed");
	});
});

describe("job Durable Object", () => {
	it("create is idempotent: the same id keeps the first record", async () => {
		const { job, stub } = await stored({ metadata: { first: "yes" } });
		const again = await stub.create({ ...job, metadata: { first: "no" } });
		expect(again.created).toBe(false);
		expect(again.job.metadata).toEqual({ first: "yes" });
	});

	it("one lease at a time; a finished job is never claimed again", async () => {
		const { stub } = await stored();
		const first = await stub.claim();
		expect(first.kind).toBe("render");
		const second = await stub.claim();
		expect(second.kind).toBe("busy");
		const doc = { key: "k", filename: "f.pdf", sizeBytes: 1, pages: 1, sha256: "00", etag: '"e"' };
		expect(await stub.complete(doc, { renderMs: 1, storeMs: 1 })).toEqual({ ok: true });
		expect(await stub.claim()).toEqual({ kind: "done", status: "succeeded" });
		expect(await stub.complete(doc, { renderMs: 1, storeMs: 1 })).toEqual({ ok: false, status: "succeeded" });
		expect(await stub.attemptFailed({ code: "INTERNAL", message: "late" }, true)).toEqual({ retry: false });
		expect((await stub.read("acme"))?.status).toBe("succeeded");
	});

	it("transient failures retry with backoff until RENDER_MAX_ATTEMPTS, then fail", async () => {
		const { stub } = await stored();
		const error = { code: "BROWSER_UNAVAILABLE" as const, message: "busy" };
		await stub.claim();
		expect(await stub.attemptFailed(error, true)).toEqual({ retry: true, delaySeconds: 2 });
		await stub.claim();
		expect(await stub.attemptFailed(error, true)).toEqual({ retry: true, delaySeconds: 4 });
		await stub.claim();
		expect(await stub.attemptFailed(error, true)).toEqual({ retry: false });
		const job = await stub.read("acme");
		expect(job?.status).toBe("failed");
		expect(job?.attempts).toBe(3);
		expect(job?.error).toEqual(error);
	});

	it("permanent failures fail at once", async () => {
		const { stub } = await stored();
		await stub.claim();
		expect(await stub.attemptFailed({ code: "HTTP_ERROR", message: "404" }, false)).toEqual({ retry: false });
		expect((await stub.read("acme"))?.attempts).toBe(1);
	});

	it("reads are tenant-scoped", async () => {
		const { stub } = await stored();
		expect(await stub.read("globex")).toBeNull();
		expect(await stub.read("acme")).not.toBeNull();
	});

	it("the schema migration is recorded once and is idempotent", async () => {
		const { stub } = await stored();
		const versions = await runInDurableObject(stub, async (_i: JobObject, state) =>
			state.storage.sql.exec<{ version: number }>("SELECT version FROM _schema").toArray(),
		);
		expect(versions).toEqual([{ version: 1 }]);
	});
});

describe("watchdog alarm", () => {
	it("re-sends a queued job whose message was lost, and the job then renders", async () => {
		const { job, stub } = await stored({ source: { type: "html", bytes: 10 } });
		await env.DOCUMENTS.put(`sources/acme/${job.id}.html`, "<h1>rescued</h1>");
		await editRecord(stub, (r) => {
			r.sourceKey = `sources/acme/${job.id}.html`;
			r.url = null;
			r.queuedAt = Date.now() - QUEUED_WATCHDOG_MS - 1;
		});
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		const done = await waitForJob(job.id);
		expect(done.status).toBe("succeeded");
	});

	it("leaves a rendering job alone while its lease holds: timeoutMs plus LEASE_MARGIN_MS", async () => {
		const { stub } = await stored({ page: { timeoutMs: 5000 } });
		const before = Date.now();
		await stub.claim();
		const claimed = await readRecord(stub);
		expect(claimed.leaseUntil! - before).toBeGreaterThanOrEqual(5000 + LEASE_MARGIN_MS);
		const queue = queueRecorder();
		await withObjectEnv(stub, { RENDER_QUEUE: queue }, (instance) => instance.alarm());
		expect(queue.sent).toEqual([]);
		expect(await readRecord(stub)).toEqual(claimed);
	});

	it("a late report from an attempt whose lease lapsed and was claimed again changes nothing", async () => {
		const { stub } = await stored();
		const first = await stub.claim();
		expect(first.kind).toBe("render");
		await editRecord(stub, (r) => {
			r.leaseUntil = Date.now() - 1;
		});
		expect((await stub.claim()).kind).toBe("render");
		const document = { key: "documents/acme/x.pdf", filename: "x.pdf", sizeBytes: 1, pages: 1, sha256: "0", etag: "e" };
		// Attempt 1 reports after attempt 2 took over: refused, and the job stays with attempt 2.
		expect(await stub.complete(document, { renderMs: 1, storeMs: 1 }, Date.now(), 1)).toEqual({ ok: false, status: "superseded" });
		expect(await stub.attemptFailed({ code: "INTERNAL", message: "late" }, true, Date.now(), 1)).toEqual({ retry: false });
		expect(await readRecord(stub)).toMatchObject({ status: "rendering", attempts: 2, document: null, error: null });
		// Attempt 2's own report still counts.
		expect(await stub.complete(document, { renderMs: 1, storeMs: 1 }, Date.now(), 2)).toEqual({ ok: true });
		expect(await readRecord(stub)).toMatchObject({ status: "succeeded", attempts: 2 });
	});

	it("fails a job whose consumer vanished on its last attempt", async () => {
		const { job, stub } = await stored();
		await stub.claim();
		await editRecord(stub, (r) => {
			r.attempts = 3;
			r.leaseUntil = Date.now() - 1;
		});
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		const done = await getJob(job.id);
		expect(done.status).toBe("failed");
		expect(done.error?.code).toBe("INTERNAL");
	});

	it("a lost render message is re-sent at most 3 times, 10 minutes apart, then the job fails", async () => {
		const { job, stub } = await stored();
		const queue = queueRecorder();
		const lose = () =>
			editRecord(stub, (r) => {
				r.queuedAt = Date.now() - QUEUED_WATCHDOG_MS - 1;
			});
		for (const n of [1, 2, 3]) {
			await lose();
			await withObjectEnv(stub, { RENDER_QUEUE: queue }, (instance) => instance.alarm());
			expect(queue.sent).toEqual(Array.from({ length: n }, () => ({ jobId: job.id })));
			expect(await readRecord(stub)).toMatchObject({ status: "queued", requeues: n });
		}
		await lose();
		await withObjectEnv(stub, { RENDER_QUEUE: queue }, (instance) => instance.alarm());
		expect(queue.sent).toHaveLength(3);
		const failed = await getJob(job.id);
		expect(failed.status).toBe("failed");
		expect(failed.error?.code).toBe("INTERNAL");
	});

	it("a second alarm run right after a re-send sends nothing more", async () => {
		const { stub } = await stored();
		await editRecord(stub, (r) => {
			r.queuedAt = Date.now() - QUEUED_WATCHDOG_MS - 1;
		});
		const queue = queueRecorder();
		await withObjectEnv(stub, { RENDER_QUEUE: queue }, (instance) => instance.alarm());
		expect(queue.sent).toHaveLength(1);
		const once = await readRecord(stub);
		await withObjectEnv(stub, { RENDER_QUEUE: queue }, (instance) => instance.alarm());
		expect(queue.sent).toHaveLength(1);
		expect(await readRecord(stub)).toEqual(once);
	});

	it("retries a webhook event its outbox could not enqueue", async () => {
		const { job, stub } = await stored({ webhook: webhookTo("https://hooks.example.com/x") });
		// The job ends while the webhook queue refuses every send: the event stays in the outbox.
		await withObjectEnv(stub, { WEBHOOK_QUEUE: queueRecorder(true) }, (instance) => instance.failIfActive({ code: "INTERNAL", message: "test" }));
		const pending = await readRecord(stub);
		expect(pending.webhook).toMatchObject({ enqueuePending: true, status: "pending", eventId: expect.stringMatching(/^evt_/) });
		expect(await runInDurableObject(stub, (_i: JobObject, state) => state.storage.getAlarm())).not.toBeNull();
		// The alarm tries again, with the queue back.
		const queue = queueRecorder();
		await withObjectEnv(stub, { WEBHOOK_QUEUE: queue }, (instance) => instance.alarm());
		expect(queue.sent).toEqual([{ jobId: job.id, series: 1 }]);
		expect((await readRecord(stub)).webhook?.enqueuePending).toBe(false);
	});
});

describe("render queue consumer", () => {
	it("a duplicate delivery after success is acked without rendering or storing again", async () => {
		const done = await renderToEnd({ html: "<p>once</p>" });
		const head = await env.DOCUMENTS.head(`documents/acme/${done.id}.pdf`);
		const result = await deliver("edge-pdf-render", [{ jobId: done.id }], env, 2);
		expect(result.explicitAcks).toEqual(result.ids);
		expect(result.retryMessages).toEqual([]);
		const after = await getJob(done.id);
		expect(after.attempts).toBe(1);
		expect((await env.DOCUMENTS.head(`documents/acme/${done.id}.pdf`))?.uploaded).toEqual(head?.uploaded);
	});

	it("a message for a job another consumer holds is retried after the lease, not rendered twice", async () => {
		const { job, stub } = await stored();
		await stub.claim();
		const { leaseUntil } = await readRecord(stub);
		const result = await deliver("edge-pdf-render", [{ jobId: job.id }]);
		expect(result.explicitAcks).toEqual([]);
		expect(result.retryMessages).toHaveLength(1);
		// Retried once the lease has run out, not before.
		expect(result.delays[0]! * 1000).toBeGreaterThanOrEqual(leaseUntil! - Date.now());
		expect((await stub.read("acme"))?.attempts).toBe(1);
	});

	it("a malformed message is acked and logged, not retried forever", async () => {
		const logs = captureLogs();
		try {
			const result = await deliver("edge-pdf-render", [{ nope: true }]);
			expect(result.explicitAcks).toEqual(result.ids);
			expect(result.retryMessages).toEqual([]);
			const dropped = logs.records().filter((r) => r.msg === "malformed message dropped");
			expect(dropped).toEqual([expect.objectContaining({ queue: "render", id: result.ids[0] })]);
		} finally {
			logs.restore();
		}
	});

	it("the render dead-letter queue fails the job it carries", async () => {
		const { job } = await stored();
		const result = await deliver("edge-pdf-render-dlq", [{ jobId: job.id }]);
		expect(result.explicitAcks).toEqual(result.ids);
		const failed = await getJob(job.id);
		expect(failed.status).toBe("failed");
		expect(failed.error?.code).toBe("INTERNAL");
	});
});
