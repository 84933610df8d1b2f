// The job state machine, the Durable Object's RPC contract, the watchdog and duplicate deliveries.
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_REQUEUES, nextAlarmAt, OUTBOX_RETRY_MS, QUEUED_WATCHDOG_MS, queuedTooLong, requeue } from "../src/jobs/alarm";
import type { JobObject } from "../src/jobs/job-object";
import { canTransition, IllegalTransition, isTerminal, transition, type JobRecord } from "../src/jobs/record";
import {
	claimable,
	endLapsedAttempt,
	failAttempt,
	LAPSED_ATTEMPT,
	leaseEnd,
	LEASE_MARGIN_MS,
	leaseLapsed,
	startAttempt,
	superseded,
	waitForSlot,
} from "../src/jobs/render-lease";
import { JOB_STATUSES } from "../src/schemas/job";
import { getJob, renderToEnd, waitForJob } from "./support/worker/api";
import { deliver, editRecord, jobRecord, queueRecorder, readRecord, storedJob, webhookTo, withObjectEnv } from "./support/worker/jobs";
import { captureLogs } from "./support/worker/logs";

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

describe("render lease (pure)", () => {
	const MAX_ATTEMPTS = 3;
	/** A job claimed at `now`: rendering under attempt 1's lease. */
	const rendering = (now = 1000) => {
		const job = record({ page: { timeoutMs: 5000 } });
		startAttempt(job, leaseEnd(job, now), now);
		return job;
	};

	it("lasts the render budget plus the margin; merged parts print one after another, so their budgets add up", () => {
		expect(leaseEnd({ page: { timeoutMs: 5000 } }, 1000)).toBe(1000 + 5000 + LEASE_MARGIN_MS);
		expect(leaseEnd({ page: { timeoutMs: 5000 }, parts: [{ page: { timeoutMs: 2000 } }, {}] }, 0)).toBe(2000 + 5000 + LEASE_MARGIN_MS);
	});

	it("one claim at a time: the next waits until the lease runs out, then may take it; each claim counts an attempt", () => {
		const job = rendering();
		expect(job).toMatchObject({ status: "rendering", attempts: 1, startedAt: 1000, leaseUntil: 1000 + 5000 + LEASE_MARGIN_MS });
		expect(job.timings.queuedMs).toBe(1000 - job.createdAt);
		const until = job.leaseUntil!;
		expect(claimable(job, until - 1500)).toEqual({ kind: "busy", retryAfterSeconds: 2 });
		expect(leaseLapsed(job, until - 1)).toBe(false);
		expect(claimable(job, until)).toEqual({ kind: "render", job });
		expect(leaseLapsed(job, until)).toBe(true);
		expect(endLapsedAttempt(job, MAX_ATTEMPTS, until)).toEqual({ kind: "requeued" });
		startAttempt(job, until + 10_000, until);
		expect(job).toMatchObject({ status: "rendering", attempts: 2, startedAt: 1000, leaseUntil: until + 10_000 });
	});

	it("a missing or finished job is never claimed; a queued one always may be", () => {
		expect(claimable(null, 0)).toEqual({ kind: "done", status: "missing" });
		for (const status of ["succeeded", "failed", "canceled"] as const) expect(claimable(record({ status }), 0)).toEqual({ kind: "done", status });
		const queued = record();
		expect(claimable(queued, 0)).toEqual({ kind: "render", job: queued });
		expect(leaseLapsed(queued, Number.MAX_SAFE_INTEGER)).toBe(false);
	});

	it("a lapsed attempt is a transient failure: back to queued while attempts remain, then the job fails", () => {
		const job = rendering();
		for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
			expect(endLapsedAttempt(job, MAX_ATTEMPTS, job.leaseUntil!)).toEqual({ kind: "requeued" });
			expect(job).toMatchObject({ status: "queued", leaseUntil: null, attempts: attempt });
			startAttempt(job, leaseEnd(job, job.queuedAt), job.queuedAt);
		}
		expect(endLapsedAttempt(job, MAX_ATTEMPTS, job.leaseUntil!)).toEqual({ kind: "fail", error: LAPSED_ATTEMPT });
		expect(job).toMatchObject({ status: "rendering", attempts: MAX_ATTEMPTS });
	});

	it("a report from an attempt the job was claimed again after is stale; a report naming no attempt is not", () => {
		const job = rendering();
		expect(superseded(job, 1)).toBe(false);
		expect(superseded(job, undefined)).toBe(false);
		endLapsedAttempt(job, MAX_ATTEMPTS, job.leaseUntil!);
		startAttempt(job, job.leaseUntil! + 1, job.queuedAt);
		expect(superseded(job, 1)).toBe(true);
		expect(superseded(job, 2)).toBe(false);
	});

	it("a failed attempt: transient ones back off 2^attempts seconds until the attempts are used up; permanent ones stop at once", () => {
		const job = rendering();
		const delays: number[] = [];
		for (;;) {
			const decision = failAttempt(job, true, MAX_ATTEMPTS, 5000);
			if (!decision.retry) break;
			expect(job.status).toBe("queued");
			delays.push(decision.delaySeconds);
			startAttempt(job, 99_000, 5000);
		}
		expect(delays).toEqual([2, 4]);
		expect(job).toMatchObject({ status: "rendering", attempts: MAX_ATTEMPTS });
		const permanent = rendering();
		expect(failAttempt(permanent, false, MAX_ATTEMPTS, 5000)).toEqual({ retry: false });
		expect(permanent.status).toBe("rendering");
	});

	it("a claim refused a render slot restarts a queued job's watchdog, and leaves a rendering job as it was", () => {
		const queued = record({ queuedAt: 0 });
		expect(waitForSlot(queued, 7000)).toBe(true);
		expect(queued.queuedAt).toBe(7000);
		const job = rendering();
		const before = structuredClone(job);
		expect(waitForSlot(job, 7000)).toBe(false);
		expect(job).toEqual(before);
	});
});

describe("alarm schedule (pure)", () => {
	it("a queued job's watchdog re-sends its message 3 times, each 10 minutes after the last, then fails it", () => {
		const job = record({ queuedAt: 0 });
		expect(nextAlarmAt(job, 0)).toBe(QUEUED_WATCHDOG_MS);
		expect(queuedTooLong(job, QUEUED_WATCHDOG_MS - 1)).toBe(false);
		for (let n = 1; n <= MAX_REQUEUES; n++) {
			const now = n * QUEUED_WATCHDOG_MS;
			expect(queuedTooLong(job, now)).toBe(true);
			expect(requeue(job, now)).toEqual({ kind: "resend" });
			expect(nextAlarmAt(job, now)).toBe(now + QUEUED_WATCHDOG_MS);
		}
		expect(requeue(job, 9 * QUEUED_WATCHDOG_MS)).toMatchObject({ kind: "fail", error: { code: "INTERNAL" } });
	});

	it("is the earliest of what the record holds: the lease, the document's expiry, the outbox retry", () => {
		const job = record({ status: "rendering", leaseUntil: 50_000 });
		expect(nextAlarmAt(job, 0)).toBe(50_000);
		job.document = { key: "k", filename: "f.pdf", sizeBytes: 1, pages: 1, sha256: "0", etag: "e" };
		job.deleteAt = 40_000;
		expect(nextAlarmAt(job, 0)).toBe(40_000);
		job.webhook = { ...webhookTo("https://hooks.example.com/x")!, enqueuePending: true };
		expect(nextAlarmAt(job, 1000)).toBe(1000 + OUTBOX_RETRY_MS);
		expect(nextAlarmAt(record({ status: "failed", purgeAt: null }), 0)).toBeNull();
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
		expect(await stub.complete(document, { renderMs: 1, storeMs: 1 }, { attempt: 1 })).toEqual({ ok: false, status: "superseded" });
		expect(await stub.attemptFailed({ code: "INTERNAL", message: "late" }, true, { attempt: 1 })).toEqual({ retry: false });
		expect(await readRecord(stub)).toMatchObject({ status: "rendering", attempts: 2, document: null, error: null });
		// Attempt 2's own report still counts.
		expect(await stub.complete(document, { renderMs: 1, storeMs: 1 }, { attempt: 2 })).toEqual({ ok: true });
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
