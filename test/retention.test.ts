// A job record's life: page credentials erased once it is terminal, webhook headers sealed at rest,
// the whole record (and its listing entry) deleted RETENTION_SECONDS after it ended, and no storage
// at all for ids nobody created.
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { config } from "../src/config";
import { jobStub, newJobId } from "../src/jobs/ids";
import type { JobObject } from "../src/jobs/job-object";
import type { JobRecord } from "../src/jobs/record";
import { PURGE_WEBHOOK_GRACE_MS } from "../src/jobs/secrets";
import { documentKey, sourceKey } from "../src/storage/documents";
import { partSourceKey, previewKey, stampImageKey } from "../src/storage/outputs";
import { assetKey, listAssets } from "../src/storage/assets";
import { tenantStub } from "../src/tenants/tenant-object";
import { api } from "./support/worker/api";
import { editRecord, jobRecord, storedJob, webhookTo, withObjectEnv } from "./support/worker/jobs";

const SECRETS = { header: "hdr-secret-8c1f", password: "pw-secret-77d2", cookie: "cookie-secret-41aa", hook: "hook-secret-0b9e" };

const secretPage = {
	headers: { Authorization: `Bearer ${SECRETS.header}` },
	basicAuth: { username: "u", password: SECRETS.password },
	cookies: [{ name: "sid", value: SECRETS.cookie, domain: "example.com" }],
};

/** The JSON the Durable Object holds, exactly as stored. */
function storedText(stub: DurableObjectStub<JobObject>): Promise<string> {
	return runInDurableObject(stub, async (_i: JobObject, state) => state.storage.sql.exec<{ record: string }>("SELECT record FROM job").one().record);
}

/** Everything a Durable Object keeps: its SQL tables, key-value entries and alarm. */
function footprint(stub: DurableObjectStub<JobObject>) {
	return runInDurableObject(stub, async (_i: JobObject, state) => ({
		tables: state.storage.sql
			.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'")
			.toArray()
			.map((r) => r.name),
		alarm: await state.storage.getAlarm(),
		kv: [...(await state.storage.list()).keys()],
	}));
}

function listedInTenant(tenantId: string, id: string): Promise<boolean> {
	return runInDurableObject(
		tenantStub(env, tenantId),
		async (_i, state) => state.storage.sql.exec("SELECT id FROM jobs WHERE id = ?", id).toArray().length === 1,
	);
}

const doc = (job: JobRecord) => ({ key: documentKey(job.tenantId, job.id), filename: "f.pdf", sizeBytes: 3, pages: 1, sha256: "00", etag: '"e"' });

/** A stored job with page credentials, claimed and completed through its RPC as a consumer would. */
async function completedJob() {
	const { job, stub } = await storedJob({ page: secretPage });
	await env.DOCUMENTS.put(documentKey(job.tenantId, job.id), "pdf");
	expect((await stub.claim()).kind).toBe("render");
	expect(await stub.complete(doc(job), { renderMs: 1, storeMs: 1 })).toEqual({ ok: true });
	return { job, stub };
}

describe("secrets at rest", () => {
	it("a queued job keeps its page credentials for rendering; its webhook headers are stored sealed", async () => {
		const { stub } = await storedJob({ page: secretPage, webhook: { ...webhookTo("https://hooks.example.com/x")!, headers: { "X-Hook-Key": SECRETS.hook } } });
		const text = await storedText(stub);
		expect(text).toContain(SECRETS.header);
		expect(text).toContain(SECRETS.password);
		expect(text).not.toContain(SECRETS.hook);
		const record = JSON.parse(text) as JobRecord;
		expect(record.webhook?.headers).toEqual({});
		expect(record.webhook?.sealedHeaders).toMatch(/^s1\./);
		const claim = await stub.claim();
		expect(claim.kind === "render" && claim.job.page).toEqual(secretPage);
	});

	it("a succeeded job's page headers, basic auth and cookies are erased", async () => {
		const { stub } = await completedJob();
		const text = await storedText(stub);
		for (const secret of [SECRETS.header, SECRETS.password, SECRETS.cookie]) expect(text).not.toContain(secret);
		const record = JSON.parse(text) as JobRecord;
		expect(record.page).toEqual({});
		expect(record.status).toBe("succeeded");
	});

	it("failed and canceled jobs are erased too", async () => {
		const failed = await storedJob({ page: secretPage });
		await failed.stub.claim();
		await failed.stub.attemptFailed({ code: "HTTP_ERROR", message: "404" }, false);
		const canceled = await storedJob({ page: secretPage });
		expect((await api(`/v1/renders/${canceled.job.id}`, { method: "DELETE" })).status).toBe(200);
		for (const { stub } of [failed, canceled]) {
			const text = await storedText(stub);
			for (const secret of [SECRETS.header, SECRETS.password, SECRETS.cookie]) expect(text).not.toContain(secret);
		}
	});
});

describe("retention", () => {
	it("a finished job is scheduled for deletion RETENTION_SECONDS after it ended", async () => {
		const { stub } = await completedJob();
		const record = JSON.parse(await storedText(stub)) as JobRecord;
		expect(record.purgeAt).toBe(record.completedAt! + config(env).retentionSeconds * 1000);
		expect((await footprint(stub)).alarm).toBe(record.purgeAt);
	});

	it("the alarm deletes the record, its document and its listing entry", async () => {
		const { job, stub } = await completedJob();
		await expect.poll(() => listedInTenant("acme", job.id)).toBe(true);
		await editRecord(stub, (r) => {
			r.deleteAt = Date.now() - 1;
			r.purgeAt = Date.now() - 1;
		});
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect(await footprint(stub)).toEqual({ tables: [], alarm: null, kv: [] });
		expect(await env.DOCUMENTS.head(documentKey(job.tenantId, job.id))).toBeNull();
		expect(await listedInTenant("acme", job.id)).toBe(false);
		expect((await api(`/v1/renders/${job.id}`)).status).toBe(404);
		// Reading it again creates nothing.
		expect(await footprint(stub)).toEqual({ tables: [], alarm: null, kv: [] });
	});

	it("waits for a webhook series still running, within a grace period", async () => {
		const { job, stub } = await storedJob({ webhook: webhookTo("https://hooks.example.com/x") });
		const due = Date.now() - 1;
		await editRecord(stub, (r) => {
			Object.assign(r, { status: "succeeded", completedAt: due, purgeAt: due });
			Object.assign(r.webhook!, { eventId: "evt_x", eventBody: "{}", status: "pending", nextAttemptAt: Date.now() + 60_000 });
		});
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect((await footprint(stub)).tables).toContain("job");
		expect((await footprint(stub)).alarm).toBeGreaterThan(Date.now());

		await editRecord(stub, (r) => {
			r.purgeAt = Date.now() - PURGE_WEBHOOK_GRACE_MS - 1;
		});
		await runInDurableObject(stub, (instance: JobObject) => instance.alarm());
		expect(await footprint(stub)).toEqual({ tables: [], alarm: null, kv: [] });
		expect(await listedInTenant("acme", job.id)).toBe(false);
	});

	it("a delivered webhook no longer holds the deletion back", async () => {
		const { stub } = await storedJob({ webhook: webhookTo("https://hooks.example.com/x") });
		await editRecord(stub, (r) => {
			Object.assign(r, { status: "failed", completedAt: Date.now() - 1, purgeAt: Date.now() - 1 });
			Object.assign(r.webhook!, { eventId: "evt_y", eventBody: "{}", status: "delivered" });
		});
		await runInDurableObject(stub, (instance: JobObject) => instance.alarm());
		expect((await footprint(stub)).tables).toEqual([]);
	});
});

describe("unknown ids", () => {
	it("GET, DELETE and redelivery of a well-formed unknown id leave no stored data", async () => {
		const id = newJobId();
		expect((await api(`/v1/renders/${id}`)).status).toBe(404);
		expect((await api(`/v1/renders/${id}`, { method: "DELETE" })).status).toBe(404);
		expect((await api(`/v1/renders/${id}/webhook`, { method: "POST" })).status).toBe(404);
		expect(await footprint(jobStub(env, id))).toEqual({ tables: [], alarm: null, kv: [] });
	});

	it("a created job does leave its table (the check above can see one)", async () => {
		const { stub } = await storedJob();
		expect((await footprint(stub)).tables).toContain("job");
	});
});

describe("retention of what a job stored besides its record", () => {
	/** R2 whose deletes fail, as a storage hiccup at the end of the job would. */
	const failingDeletes = (bucket: R2Bucket): R2Bucket =>
		new Proxy(bucket, {
			get(target, name) {
				if (name === "delete") return async () => Promise.reject(new Error("R2 delete failed: internal error"));
				const value = Reflect.get(target, name);
				return typeof value === "function" ? value.bind(target) : value;
			},
		});

	const present = async (keys: string[]) => (await Promise.all(keys.map((key) => env.DOCUMENTS.head(key)))).map((object) => object !== null);

	it("the alarm RETENTION_SECONDS after the job ended deletes the document's preview with the document", async () => {
		const { job, stub } = await storedJob();
		const preview = { key: previewKey(job.tenantId, job.id, "png"), contentType: "image/png" as const, width: 40, height: 57, sizeBytes: 5 };
		await env.DOCUMENTS.put(documentKey(job.tenantId, job.id), "pdf");
		await env.DOCUMENTS.put(preview.key, "thumb");
		expect((await stub.claim()).kind).toBe("render");
		expect(await stub.complete({ ...doc(job), preview }, { renderMs: 1, storeMs: 1 })).toEqual({ ok: true });
		const keys = [documentKey(job.tenantId, job.id), preview.key];
		expect(await present(keys)).toEqual([true, true]);
		await editRecord(stub, (r) => {
			r.deleteAt = Date.now() - 1;
			r.purgeAt = Date.now() - 1;
		});
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect(await present(keys)).toEqual([false, false]);
		expect(await footprint(stub)).toEqual({ tables: [], alarm: null, kv: [] });
	});

	it("stashed inputs (the job's HTML, its parts', its stamp images) left behind by a failed delete at the end go with the record", async () => {
		const base = jobRecord();
		const stamp = stampImageKey(base.tenantId, base.id, 1);
		const sources = [sourceKey(base.tenantId, base.id), partSourceKey(base.tenantId, base.id, 0), partSourceKey(base.tenantId, base.id, 1), stamp];
		const job: JobRecord = {
			...base,
			pdf: { stamps: [{ text: "Page {page}" }, { imageKey: stamp, position: "top-right" }] },
			url: null,
			sourceKey: sources[0]!,
			source: {
				type: "parts",
				count: 2,
				parts: [
					{ type: "html", bytes: 13 },
					{ type: "html", bytes: 13 },
				],
			},
			parts: sources.slice(1, 3).map((key) => ({ url: null, sourceKey: key, pdf: {}, page: base.page })),
		};
		for (const key of sources) await env.DOCUMENTS.put(key, "<p>source</p>");
		const stub = jobStub(env, job.id);
		await stub.create(job);
		expect((await stub.claim()).kind).toBe("render");
		await env.DOCUMENTS.put(documentKey(job.tenantId, job.id), "pdf");
		// The job ends, and deleting its sources then fails: they stay until the record's own deletion.
		const outcome = await withObjectEnv(stub, { DOCUMENTS: failingDeletes(env.DOCUMENTS) }, (instance) =>
			instance.complete(doc(job), { renderMs: 1, storeMs: 1 }),
		);
		expect(outcome).toEqual({ ok: true });
		expect(await present(sources)).toEqual([true, true, true, true]);
		await editRecord(stub, (r) => {
			r.deleteAt = Date.now() - 1;
			r.purgeAt = Date.now() - 1;
		});
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect(await present([...sources, documentKey(job.tenantId, job.id)])).toEqual([false, false, false, false, false]);
		expect(await footprint(stub)).toEqual({ tables: [], alarm: null, kv: [] });
	});

	it("stashed attachments left behind by a failed delete at the end go with the record", async () => {
		const base = jobRecord();
		const keys = [0, 1].map((i) => assetKey(base.tenantId, base.id, `attachment-${i}`));
		const attachments = keys.map((key, i) => ({ name: `${i}.xml`, contentType: "text/xml", relationship: "Data" as const, key, sizeBytes: 4 }));
		for (const key of keys) await env.DOCUMENTS.put(key, "<a/>");
		const { job, stub } = await storedJob({ id: base.id, attachments });
		expect((await stub.claim()).kind).toBe("render");
		await env.DOCUMENTS.put(documentKey(job.tenantId, job.id), "pdf");
		const outcome = await withObjectEnv(stub, { DOCUMENTS: failingDeletes(env.DOCUMENTS) }, (instance) =>
			instance.complete(doc(job), { renderMs: 1, storeMs: 1 }),
		);
		expect(outcome).toEqual({ ok: true });
		expect(await present(keys)).toEqual([true, true]);
		await editRecord(stub, (r) => {
			r.deleteAt = Date.now() - 1;
			r.purgeAt = Date.now() - 1;
		});
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect(await listAssets(env.DOCUMENTS, job.tenantId, job.id)).toEqual([]);
		expect(await footprint(stub)).toEqual({ tables: [], alarm: null, kv: [] });
	});
});
