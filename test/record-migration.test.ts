// A job record stored by older code (version 1, before versions existed, through version 7) is read
// through today's code: upgraded to the current shape, parsed with zod, and saved back sealed and,
// if finished, erased.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { jobStub, newJobId } from "../src/jobs/ids";
import type { JobObject } from "../src/jobs/job-object";
import type { JobRecord } from "../src/jobs/record";
import { UnreadableRecord, upgradeRecord } from "../src/jobs/record-migrations";
import { JOB_RECORD_VERSION } from "../src/schemas/job-record";
import { seal } from "../src/security/seal";
import { documentKey } from "../src/storage/documents";
import { download, getJob } from "./support/worker/api";

/** Exactly what the unversioned JobObject wrote: its schema tables, and the record as JSON. */
function writeLegacy(id: string, record: Record<string, unknown>): Promise<void> {
	return runInDurableObject(jobStub(env, id), async (_i: JobObject, state) => {
		state.storage.sql.exec("CREATE TABLE _schema (version INTEGER NOT NULL)");
		state.storage.sql.exec("INSERT INTO _schema (version) VALUES (1)");
		state.storage.sql.exec("CREATE TABLE job (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL, updated_at INTEGER NOT NULL)");
		state.storage.sql.exec("INSERT INTO job (id, record, updated_at) VALUES (1, ?, ?)", JSON.stringify(record), Date.now());
	});
}

function storedRecord(id: string): Promise<string> {
	return runInDurableObject(
		jobStub(env, id),
		async (_i: JobObject, state) => state.storage.sql.exec<{ record: string }>("SELECT record FROM job").one().record,
	);
}

/** A record in version 1's shape, as the code before this change produced it (src/jobs/new-record.ts then). */
function legacyRecord(id: string, status: string, completedAt: number | null): Record<string, unknown> {
	const now = Date.now() - 60_000;
	return {
		id,
		tenantId: "acme",
		status,
		createdAt: now,
		startedAt: completedAt === null ? null : now + 10,
		completedAt,
		queuedAt: now,
		leaseUntil: null,
		attempts: completedAt === null ? 0 : 1,
		requeues: 0,
		source: { type: "url", url: "https://example.com/invoice" },
		url: "https://example.com/invoice",
		sourceKey: null,
		pdf: { format: "A4" },
		page: { timeoutMs: 20000, headers: { Authorization: "Bearer legacy-page-secret" }, basicAuth: { username: "u", password: "legacy-pw" } },
		filename: `${id}.pdf`,
		expiresIn: 3600,
		origin: "https://edge-pdf.test",
		document: null,
		deleteAt: null,
		error: status === "failed" ? { code: "HTTP_ERROR", message: "the page answered HTTP 404" } : null,
		timings: { queuedMs: 5, renderMs: null, storeMs: null },
		metadata: { invoiceId: "42" },
		webhook: {
			url: "https://hooks.example.com/x",
			method: "POST",
			headers: { "X-Hook-Key": "legacy-hook-secret" },
			status: "delivered",
			attempts: [{ at: new Date(now).toISOString(), httpStatus: 204, durationMs: 12, error: null }],
			nextAttemptAt: null,
			eventId: `evt_${id.slice(4)}`,
			eventBody: "{}",
			series: 1,
			enqueuePending: false,
			seriesAttempts: 1,
			leaseUntil: null,
			exhausted: false,
			deadLettered: false,
		},
	};
}

/** The record as each version stored it: version 1's shape plus what each later version added. */
function recordOfVersion(version: number, base: Record<string, unknown>): Record<string, unknown> {
	let record = base;
	if (version >= 2) record = { ...record, v: 2, purgeAt: null, webhook: record.webhook ? { ...(record.webhook as object), sealedHeaders: null } : null };
	if (version >= 3) record = { ...record, v: 3, destination: null, keepCopy: false, delivery: null };
	if (version >= 4) record = { ...record, v: 4 };
	if (version >= 5) record = { ...record, v: 5, source: version5Source(record.source) };
	if (version >= 6) record = { ...record, v: 6, report: null };
	if (version >= 7) record = { ...record, v: 7 };
	return record;
}

/** Version 5's source: a template's `templates` and a merge's `parts`, which version 5 began to keep. */
function version5Source(source: unknown): unknown {
	const s = source as { type?: string };
	if (s.type === "template") return { ...s, templates: [] };
	if (s.type === "parts") return { ...s, parts: [] };
	return s;
}

/** A queued template render's source and a merged one's, as version 4 stored them. */
function v4Sources(id: string) {
	return {
		template: { type: "template", id: "tpl_01jd7y3k9q2x4m5n6p7r8s9t0v", version: 3, bytes: 120 },
		parts: { type: "parts", count: 2 },
		partRecords: [
			{ url: "https://example.com/a", sourceKey: null, pdf: {}, page: {} },
			{ url: null, sourceKey: `sources/acme/${id}.part-1.html`, pdf: {}, page: {} },
		],
	};
}

describe("job record migration", () => {
	it("a version-4 template or parts record reads as today's job: which templates and part sources were used is null, not guessed", async () => {
		const templateId = newJobId();
		const sources = v4Sources(templateId);
		const template = { ...recordOfVersion(4, legacyRecord(templateId, "queued", null)), source: sources.template, url: null, webhook: null };
		await writeLegacy(templateId, template);
		expect((await getJob(templateId)).source).toEqual({ ...sources.template, templates: null });
		const stored = JSON.parse(await storedRecord(templateId)) as JobRecord;
		expect([stored.v, stored.source]).toEqual([JOB_RECORD_VERSION, { ...sources.template, templates: null }]);

		const partsId = newJobId();
		const parts = {
			...recordOfVersion(4, legacyRecord(partsId, "queued", null)),
			source: sources.parts,
			url: null,
			parts: v4Sources(partsId).partRecords,
			webhook: null,
		};
		await writeLegacy(partsId, parts);
		expect((await getJob(partsId)).source).toEqual({ type: "parts", count: 2, parts: null });
	});

	it.each([1, 2, 3, 4, 5, 6, 7])("a version-%i record upgrades to today's shape with no render report (none was kept)", (version) => {
		const id = newJobId();
		const failed = recordOfVersion(version, legacyRecord(id, "failed", Date.now() - 1000));
		const { record, upgraded } = upgradeRecord(failed);
		expect([record.v, record.report, upgraded]).toEqual([JOB_RECORD_VERSION, null, true]);
	});

	it("a finished version-5 record reads as today's job, its report null", async () => {
		const id = newJobId();
		await writeLegacy(id, { ...recordOfVersion(5, legacyRecord(id, "failed", Date.now() - 30_000)), webhook: null });
		const job = await getJob(id);
		expect(job).toMatchObject({ status: "failed", error: { code: "HTTP_ERROR" }, report: null });
		expect((JSON.parse(await storedRecord(id)) as JobRecord).v).toBe(JOB_RECORD_VERSION);
	});

	it("a version-6 record (no stamps then) reads as today's job with its pdf options as they were, and is claimed to render", async () => {
		const id = newJobId();
		const queued = { ...recordOfVersion(6, legacyRecord(id, "queued", null)), pdf: { format: "A4", outline: true }, webhook: null };
		const { record, upgraded } = upgradeRecord(queued);
		expect([record.v, record.pdf, upgraded]).toEqual([JOB_RECORD_VERSION, { format: "A4", outline: true }, true]);
		await writeLegacy(id, queued);
		expect((await getJob(id)).status).toBe("queued");
		expect((await jobStub(env, id).claim()).kind).toBe("render");
		expect((JSON.parse(await storedRecord(id)) as JobRecord).v).toBe(JOB_RECORD_VERSION);
	});

	it("a version-7 record with stamps (before encryption, signatures, PDF/A and attachments) reads as today's job, its stamps as they were, and is claimed to render", async () => {
		const id = newJobId();
		const pdf = { format: "A4", stamps: [{ text: "Page {page} of {pages}", position: "bottom-center" }] };
		const queued = { ...recordOfVersion(7, legacyRecord(id, "queued", null)), pdf, webhook: null };
		const { record, upgraded } = upgradeRecord(queued);
		expect([record.v, record.pdf, record.encrypt, record.attachments, upgraded]).toEqual([JOB_RECORD_VERSION, pdf, undefined, undefined, true]);
		await writeLegacy(id, queued);
		expect((await getJob(id)).status).toBe("queued");
		expect((await jobStub(env, id).claim()).kind).toBe("render");
		expect((JSON.parse(await storedRecord(id)) as JobRecord).v).toBe(JOB_RECORD_VERSION);
	});

	it.each([1, 2, 3, 4])("a version-%i record of each source type it could hold upgrades to today's shape", (version) => {
		const id = newJobId();
		const sources = v4Sources(id);
		const base = recordOfVersion(version, legacyRecord(id, "queued", null));
		const cases: Array<[Record<string, unknown>, unknown]> = [
			[base, base.source],
			[
				{ ...base, source: { type: "html", bytes: 10 }, url: null, sourceKey: `sources/acme/${id}.html` },
				{ type: "html", bytes: 10 },
			],
		];
		// Templates and parts came with version 4.
		if (version >= 4) {
			cases.push([
				{ ...base, source: sources.template, url: null },
				{ ...sources.template, templates: null },
			]);
			cases.push([
				{ ...base, source: sources.parts, url: null, parts: sources.partRecords },
				{ type: "parts", count: 2, parts: null },
			]);
		}
		for (const [stored, source] of cases) {
			const { record, upgraded } = upgradeRecord(stored);
			expect([record.v, record.source, upgraded]).toEqual([JOB_RECORD_VERSION, source, true]);
		}
	});

	it("a finished version-1 record reads as today's job, then is stored versioned, sealed and erased", async () => {
		const id = newJobId();
		const completedAt = Date.now() - 30_000;
		await writeLegacy(id, legacyRecord(id, "failed", completedAt));

		const job = await getJob(id);
		expect(job).toMatchObject({ id, status: "failed", error: { code: "HTTP_ERROR" }, metadata: { invoiceId: "42" }, webhook: { status: "delivered" } });

		const text = await storedRecord(id);
		for (const secret of ["legacy-page-secret", "legacy-pw", "legacy-hook-secret"]) expect(text).not.toContain(secret);
		const record = JSON.parse(text) as JobRecord;
		expect(record.v).toBe(JOB_RECORD_VERSION);
		expect(record.page).toEqual({ timeoutMs: 20000 });
		expect(record.webhook?.sealedHeaders).toMatch(/^s1\./);
		expect(record.purgeAt).toBe(completedAt + Number(env.RETENTION_SECONDS) * 1000);
	});

	it("a queued version-1 record keeps what rendering needs and can be claimed", async () => {
		const id = newJobId();
		await writeLegacy(id, { ...legacyRecord(id, "queued", null), webhook: null });
		const claim = await jobStub(env, id).claim();
		expect(claim.kind).toBe("render");
		if (claim.kind === "render") expect(claim.job.page.basicAuth).toEqual({ username: "u", password: "legacy-pw" });
		expect((JSON.parse(await storedRecord(id)) as JobRecord).purgeAt).toBeNull();
	});

	it("refuses a record of an unknown version or shape instead of half-reading it", () => {
		const id = newJobId();
		expect(() => upgradeRecord({ ...legacyRecord(id, "queued", null), v: 99 })).toThrow(UnreadableRecord);
		expect(() => upgradeRecord({ ...legacyRecord(id, "queued", null), status: "done" })).toThrow(/status/);
		expect(() => upgradeRecord("not a record")).toThrow(UnreadableRecord);
		expect(upgradeRecord(legacyRecord(id, "queued", null)).upgraded).toBe(true);
	});
});

describe("job record migration from versions 2 and 3", () => {
	const HOOK_SECRET = "v2-hook-secret-5e1d";

	/** Version 2 as its code stored it: version 1 plus `v`, `purgeAt`, and webhook headers sealed for the job. */
	async function version2Record(id: string, status: string, completedAt: number | null): Promise<Record<string, unknown>> {
		const v1 = legacyRecord(id, status, completedAt);
		const webhook = v1.webhook as Record<string, unknown>;
		const sealedHeaders = await seal(env, `webhook-headers:${id}`, JSON.stringify({ "X-Hook-Key": HOOK_SECRET }));
		const purgeAt = completedAt === null ? null : completedAt + Number(env.RETENTION_SECONDS) * 1000;
		return { ...v1, v: 2, purgeAt, page: status === "queued" ? v1.page : { timeoutMs: 20000 }, webhook: { ...webhook, headers: {}, sealedHeaders } };
	}

	/** Version 3 as its code stored it: version 2 plus `destination`, `keepCopy`, `delivery` and `webhook.events`. */
	async function version3Record(id: string, status: string, completedAt: number | null): Promise<Record<string, unknown>> {
		const v2 = await version2Record(id, status, completedAt);
		return { ...v2, v: 3, destination: null, keepCopy: false, delivery: null, webhook: { ...(v2.webhook as object), events: ["render.succeeded"] } };
	}

	it("a succeeded version-2 record reads as today's job: its PDF downloads, and its sealed webhook headers still open for a delivery", async () => {
		const id = newJobId();
		const completedAt = Date.now() - 30_000;
		const bytes = new TextEncoder().encode("%PDF-1.7\n% stored by version 2\n%%EOF\n");
		const document = { key: documentKey("acme", id), filename: `${id}.pdf`, sizeBytes: bytes.byteLength, pages: 1, sha256: "ab", etag: '"v2"' };
		await env.DOCUMENTS.put(document.key, bytes);
		const record = await version2Record(id, "succeeded", completedAt);
		const webhook = { ...(record.webhook as object), status: "pending", attempts: [], seriesAttempts: 0 };
		await writeLegacy(id, { ...record, document, deleteAt: completedAt + 3_600_000, webhook });

		const job = await getJob(id);
		expect(job).toMatchObject({
			id,
			status: "succeeded",
			document: { contentType: "application/pdf", pages: 1, destination: null },
			webhook: { status: "pending" },
		});
		expect(job.document?.preview).toBeUndefined();
		const res = await download(job.document!.url);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("application/pdf");
		expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);

		const turn = await jobStub(env, id).beginWebhookAttempt(1);
		expect(turn).toMatchObject({ kind: "send", attempt: 1, delivery: { headers: { "X-Hook-Key": HOOK_SECRET }, eventId: `evt_${id.slice(4)}` } });
		const stored = JSON.parse(await storedRecord(id)) as JobRecord;
		expect(stored).toMatchObject({
			v: JOB_RECORD_VERSION,
			destination: null,
			keepCopy: false,
			delivery: null,
			purgeAt: completedAt + Number(env.RETENTION_SECONDS) * 1000,
		});
		expect(JSON.stringify(stored)).not.toContain(HOOK_SECRET);
	});

	it("a version-3 record stopped mid-delivery upgrades and is claimed to deliver its stored PDF, not to print again", async () => {
		const id = newJobId();
		const url = "https://bucket.example.com/out.pdf?X-Amz-Signature=abc";
		const document = { key: documentKey("acme", id), filename: `${id}.pdf`, sizeBytes: 3, pages: 1, sha256: "ab", etag: '"v3"' };
		const record = await version3Record(id, "rendering", null);
		await writeLegacy(id, {
			...record,
			startedAt: Date.now() - 60_000,
			attempts: 1,
			document,
			destination: { type: "presigned_put", url, headers: { "x-ms-blob-type": "BlockBlob" } },
			delivery: { tries: 1, inFlight: true, nextTryAt: null, result: null, lastError: null },
			// Its delivery try's lease lapsed: the consumer that held it is gone.
			leaseUntil: Date.now() - 1000,
		});

		const claim = await jobStub(env, id).claim();
		expect(claim.kind).toBe("deliver");
		if (claim.kind !== "deliver") return;
		expect(claim.job).toMatchObject({
			v: JOB_RECORD_VERSION,
			status: "rendering",
			attempts: 1,
			document,
			destination: { type: "presigned_put", url, headers: { "x-ms-blob-type": "BlockBlob" } },
			keepCopy: false,
			delivery: { tries: 2, inFlight: true },
			webhook: { events: ["render.succeeded"] },
		});
		expect(claim.job.output ?? "pdf").toBe("pdf");
		expect((JSON.parse(await storedRecord(id)) as JobRecord).v).toBe(JOB_RECORD_VERSION);
	});

	it("a delivered version-3 record shows where its PDF went and no link of ours", async () => {
		const id = newJobId();
		const completedAt = Date.now() - 30_000;
		const destination = {
			type: "s3",
			bucket: "invoices",
			key: `2026/${id}.pdf`,
			url: null,
			etag: "e1",
			sizeBytes: 3,
			deliveredAt: new Date(completedAt).toISOString(),
		};
		const record = await version3Record(id, "succeeded", completedAt);
		await writeLegacy(id, {
			...record,
			document: { key: documentKey("acme", id), filename: `${id}.pdf`, sizeBytes: 3, pages: 1, sha256: "ab", etag: '"v3"' },
			deleteAt: completedAt + 3_600_000,
			destination: { type: "s3", destination: "invoices", key: "2026/{id}.pdf" },
			delivery: { tries: 1, inFlight: false, nextTryAt: null, result: destination, lastError: null },
		});
		const job = await getJob(id);
		expect(job).toMatchObject({ status: "succeeded", document: { url: null, destination, contentType: "application/pdf" }, webhook: { status: "delivered" } });
	});
});
