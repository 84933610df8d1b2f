// A job record stored by older code (version 1, before versions existed, through version 4) is read
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
import { getJob } from "./support/api";

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
	return record;
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
