// Jobs written straight into their Durable Object, as the API would, without going through the queue.
import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject, type QueueResult } from "cloudflare:test";
import { vi } from "vitest";
import worker from "../../src/index";
import { jobStub, newJobId } from "../../src/jobs/ids";
import type { JobObject } from "../../src/jobs/job-object";
import { newJobRecord } from "../../src/jobs/new-record";
import type { JobRecord } from "../../src/jobs/record";
import { sourceKey } from "../../src/storage/documents";

export function jobRecord(overrides: Partial<JobRecord> = {}): JobRecord {
	const id = newJobId();
	const base = newJobRecord(env, id, "acme", { url: "https://example.com", async: true, expiresIn: 3600 }, "https://edge-pdf.test", Date.now());
	return { ...base, ...overrides };
}

/** A job's webhook state as the API records it for `url`. */
export function webhookTo(url: string): JobRecord["webhook"] {
	return newJobRecord(env, newJobId(), "acme", { html: "<p></p>", async: true, expiresIn: 60, webhook: { url, method: "POST" } }, "https://edge-pdf.test", Date.now()).webhook;
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

export function editRecord(stub: DurableObjectStub<JobObject>, edit: (r: JobRecord) => void): Promise<void> {
	return runInDurableObject(stub, async (_instance: JobObject, state) => {
		const r = JSON.parse(state.storage.sql.exec<{ record: string }>("SELECT record FROM job").one().record) as JobRecord;
		edit(r);
		state.storage.sql.exec("UPDATE job SET record = ?", JSON.stringify(r));
	});
}

/** Runs the Worker's queue handler on one batch, as the queue would, with the given env. */
export async function deliver(queue: string, bodies: unknown[], withEnv: Env = env): Promise<QueueResult & { delays: Array<number | undefined> }> {
	const batch = createMessageBatch(
		queue,
		bodies.map((body, i) => ({ id: `m${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
	);
	// getQueueResult does not report retry delays, so watch the calls themselves.
	const retries = batch.messages.map((m) => vi.spyOn(m, "retry"));
	const ctx = createExecutionContext();
	await worker.queue(batch, withEnv);
	const result = await getQueueResult(batch, ctx);
	return { ...result, delays: retries.flatMap((spy) => spy.mock.calls.map((call) => call[0]?.delaySeconds)) };
}
