// Worker side: runs inside workerd, imported by the tests.
// Jobs written straight into their Durable Object, as the API would, without going through the queue;
// their stored record read and edited; queue batches delivered to the Worker's handler.
import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject, type QueueResult } from "cloudflare:test";
import { vi } from "vitest";
import worker from "../../../src/index";
import { jobStub, newJobId } from "../../../src/jobs/ids";
import type { JobObject } from "../../../src/jobs/job-object";
import { newJobRecord } from "../../../src/jobs/new-record";
import type { JobRecord } from "../../../src/jobs/record";
import { sourceKey } from "../../../src/storage/documents";

export function jobRecord(overrides: Partial<JobRecord> = {}): JobRecord {
	const id = newJobId();
	const base = newJobRecord(env, id, "acme", { url: "https://example.com", async: true, expiresIn: 3600 }, "https://edge-pdf.test", Date.now());
	return { ...base, ...overrides };
}

/** A job's webhook state as the API records it for `url`. */
export function webhookTo(url: string): JobRecord["webhook"] {
	return newJobRecord(
		env,
		newJobId(),
		"acme",
		{ html: "<p></p>", async: true, expiresIn: 60, webhook: { url, method: "POST" } },
		"https://edge-pdf.test",
		Date.now(),
	).webhook;
}

/** A queued job in its Durable Object; with `html`, its source is stashed in R2 like the API does. */
export async function storedJob(overrides: Partial<JobRecord> = {}, html?: string) {
	let job = jobRecord(overrides);
	if (html !== undefined) {
		job = { ...job, url: null, sourceKey: sourceKey(job.tenantId, job.id), source: { type: "html", bytes: html.length } };
		await env.DOCUMENTS.put(job.sourceKey!, html);
	}
	const stub = jobStub(env, job.id);
	await stub.create(job);
	return { job, stub };
}

type JobRef = string | DurableObjectStub<JobObject>;
const stubOf = (ref: JobRef) => (typeof ref === "string" ? jobStub(env, ref) : ref);

/** The job's record as its Durable Object stores it (with fields the public view leaves out). */
export function readRecord(ref: JobRef): Promise<JobRecord> {
	return runInDurableObject(
		stubOf(ref),
		async (_instance: JobObject, state) => JSON.parse(state.storage.sql.exec<{ record: string }>("SELECT record FROM job").one().record) as JobRecord,
	);
}

/** Changes the stored record in place, e.g. to move a deadline into the past. */
export function editRecord(ref: JobRef, edit: (r: JobRecord) => void): Promise<void> {
	return runInDurableObject(stubOf(ref), async (_instance: JobObject, state) => {
		const r = JSON.parse(state.storage.sql.exec<{ record: string }>("SELECT record FROM job").one().record) as JobRecord;
		edit(r);
		state.storage.sql.exec("UPDATE job SET record = ?", JSON.stringify(r));
	});
}

/** A queue producer the test controls: records what is sent, or refuses every send. */
export function queueRecorder(fail = false): Queue & { sent: unknown[] } {
	const sent: unknown[] = [];
	const send = async (body: unknown) => {
		if (fail) throw new Error("Queue send failed: internal error");
		sent.push(body);
	};
	const sendBatch = async (messages: Iterable<{ body: unknown }>) => {
		for (const m of messages) await send(m.body);
	};
	return { sent, send, sendBatch, metrics: async () => ({ backlogCount: 0, backlogBytes: 0 }) } as unknown as Queue & { sent: unknown[] };
}

/**
 * Runs `work` on the job's Durable Object instance with some of its bindings replaced, e.g. a queue
 * the test controls; the instance's own env is put back afterwards.
 */
export function withObjectEnv<T>(ref: JobRef, patch: Partial<Env>, work: (instance: JobObject) => Promise<T>): Promise<T> {
	return runInDurableObject(stubOf(ref), async (instance: JobObject) => {
		const holder = instance as unknown as { env: Env };
		const original = holder.env;
		holder.env = { ...original, ...patch };
		try {
			return await work(instance);
		} finally {
			holder.env = original;
		}
	});
}

export interface Delivered extends QueueResult {
	/** The message ids, in the order of the bodies given. */
	ids: string[];
	/** delaySeconds of each retry() call, in call order. */
	delays: Array<number | undefined>;
	/** Per message (in the order of the bodies given): ms from the batch's start to its first ack() or retry(); null if neither. */
	settledAfterMs: Array<number | null>;
}

/** When each message was first acked or retried, as ms after `start` (the calls still go through). */
function watchSettling(messages: readonly Message<unknown>[], start: number): Array<number | null> {
	const settled: Array<number | null> = messages.map(() => null);
	for (const [i, message] of messages.entries()) {
		for (const method of ["ack", "retry"] as const) {
			const original = message[method].bind(message) as (...args: unknown[]) => void;
			vi.spyOn(message, method).mockImplementation((...args: unknown[]) => {
				settled[i] ??= Date.now() - start;
				original(...args);
			});
		}
	}
	return settled;
}

/**
 * Runs the Worker's queue handler on one batch, as the queue would (createMessageBatch +
 * getQueueResult from cloudflare:test), with the given env; `attempts` is the delivery count.
 */
export async function deliver(queue: string, bodies: unknown[], withEnv: Env = env, attempts = 1): Promise<Delivered> {
	const ids = bodies.map((_, i) => `m${i}-${crypto.randomUUID()}`);
	const batch = createMessageBatch(
		queue,
		bodies.map((body, i) => ({ id: ids[i]!, timestamp: new Date(), attempts, body })),
	);
	const settledAfterMs = watchSettling(batch.messages, Date.now());
	// getQueueResult does not report retry delays, so watch the calls themselves.
	const retries = batch.messages.map((m) => vi.spyOn(m, "retry"));
	const ctx = createExecutionContext();
	await worker.queue(batch, withEnv);
	const result = await getQueueResult(batch, ctx);
	return { ...result, ids, settledAfterMs, delays: retries.flatMap((spy) => spy.mock.calls.map((call) => call[0]?.delaySeconds)) };
}
