// The job state machine, the Durable Object's RPC contract, the watchdog and duplicate deliveries.
import { env } from "cloudflare:workers";
import { createMessageBatch, getQueueResult, runDurableObjectAlarm, runInDurableObject, createExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import worker from "../src/index";
import { jobStub } from "../src/jobs/ids";
import { LEASE_MARGIN_MS, QUEUED_WATCHDOG_MS, type JobObject } from "../src/jobs/job-object";
import { canTransition, IllegalTransition, isTerminal, transition, type JobRecord } from "../src/jobs/record";
import { JOB_STATUSES } from "../src/schemas/job";
import { getJob, renderToEnd, waitForJob } from "./support/api";
import { editRecord, jobRecord, storedJob } from "./support/jobs";

const record = jobRecord;
const stored = (overrides: Partial<JobRecord> = {}) => storedJob(overrides);

describe("state machine", () => {
	it("allows exactly the documented transitions", () => {
		const allowed = JOB_STATUSES.flatMap((from) => JOB_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
		expect(allowed.sort()).toEqual(
			["queued->rendering", "queued->failed", "queued->canceled", "rendering->queued", "rendering->succeeded", "rendering->failed", "rendering->canceled"].sort(),
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
		const versions = await runInDurableObject(stub, async (_i: JobObject, state) => state.storage.sql.exec<{ version: number }>("SELECT version FROM _schema").toArray());
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
		expect(LEASE_MARGIN_MS).toBeGreaterThan(0);
	});

	it("a second alarm run changes nothing", async () => {
		const { job, stub } = await stored();
		await stub.claim();
		await editRecord(stub, (r) => {
			r.attempts = 3;
			r.leaseUntil = Date.now() - 1;
		});
		await runDurableObjectAlarm(stub);
		const once = await getJob(job.id);
		await runInDurableObject(stub, (instance: JobObject) => instance.alarm());
		expect(await getJob(job.id)).toEqual({ ...once, document: null });
	});
});

describe("render queue consumer", () => {
	it("a duplicate delivery after success is acked without rendering or storing again", async () => {
		const done = await renderToEnd({ html: "<p>once</p>" });
		const head = await env.DOCUMENTS.head(`documents/acme/${done.id}.pdf`);
		const batch = createMessageBatch("edge-pdf-render", [{ id: "dup-1", timestamp: new Date(), attempts: 2, body: { jobId: done.id } }]);
		const ctx = createExecutionContext();
		await worker.queue(batch, env);
		const result = await getQueueResult(batch, ctx);
		expect(result.explicitAcks).toEqual(["dup-1"]);
		expect(result.retryMessages).toEqual([]);
		const after = await getJob(done.id);
		expect(after.attempts).toBe(1);
		expect((await env.DOCUMENTS.head(`documents/acme/${done.id}.pdf`))?.uploaded).toEqual(head?.uploaded);
	});

	it("a message for a job another consumer holds is retried after the lease, not rendered twice", async () => {
		const { job, stub } = await stored();
		await stub.claim();
		const batch = createMessageBatch("edge-pdf-render", [{ id: "busy-1", timestamp: new Date(), attempts: 1, body: { jobId: job.id } }]);
		// getQueueResult does not report delays, so watch the call itself.
		const retry = vi.spyOn(batch.messages[0]!, "retry");
		const ctx = createExecutionContext();
		await worker.queue(batch, env);
		const result = await getQueueResult(batch, ctx);
		expect(result.explicitAcks).toEqual([]);
		expect(result.retryMessages).toHaveLength(1);
		expect(retry.mock.calls[0]?.[0]?.delaySeconds).toBeGreaterThan(30);
		expect((await stub.read("acme"))?.attempts).toBe(1);
	});

	it("a malformed message is acked and logged, not retried forever", async () => {
		const batch = createMessageBatch("edge-pdf-render", [{ id: "bad-1", timestamp: new Date(), attempts: 1, body: { nope: true } }]);
		const ctx = createExecutionContext();
		await worker.queue(batch, env);
		expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["bad-1"]);
	});

	it("the render dead-letter queue fails the job it carries", async () => {
		const { job } = await stored();
		const batch = createMessageBatch("edge-pdf-render-dlq", [{ id: "dlq-1", timestamp: new Date(), attempts: 1, body: { jobId: job.id } }]);
		const ctx = createExecutionContext();
		await worker.queue(batch, env);
		expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["dlq-1"]);
		const failed = await getJob(job.id);
		expect(failed.status).toBe("failed");
		expect(failed.error?.code).toBe("INTERNAL");
	});
});
