// Tenant and template Durable Objects whose storage older code left behind, with only the first N of
// today's migrations applied (and rows in that older schema): loaded again, each object brings its
// schema up to date, keeps its rows, and every operation works.
import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newJobId } from "../src/jobs/ids";
import { migrate } from "../src/storage/sql-schema";
import { TEMPLATE_MIGRATIONS, type TemplateObject, templateStub } from "../src/templates/template-object";
import { TENANT_MIGRATIONS, type TenantObject, tenantStub } from "../src/tenants/tenant-object";

type Stub = DurableObjectStub<TenantObject> | DurableObjectStub<TemplateObject>;

/**
 * Replaces the object's storage with what code knowing only `applied` migrations stored, plus the
 * rows `seed` writes, then evicts the instance: the next call constructs the object on that storage.
 */
async function olderState(stub: Stub, applied: readonly string[], seed: (sql: SqlStorage) => void): Promise<void> {
	await runInDurableObject(stub, async (_instance: TenantObject | TemplateObject, state) => {
		await state.storage.deleteAll();
		migrate(state.storage.sql, applied);
		seed(state.storage.sql);
	});
	await evictDurableObject(stub);
}

function schemaOf(stub: Stub) {
	return runInDurableObject(stub, async (_instance: TenantObject | TemplateObject, state) => ({
		version: state.storage.sql.exec<{ version: number }>("SELECT version FROM _schema").one().version,
		tables: state.storage.sql
			.exec<{ name: string }>(
				"SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'",
			)
			.toArray()
			.map((r) => r.name)
			.sort(),
	}));
}

const prefixes = (migrations: readonly string[]) => migrations.map((_, n) => n);

describe("tenant objects stored by older code", () => {
	it.each(prefixes(TENANT_MIGRATIONS))("with the first %i migrations applied: migrated on load, rows kept, every operation works", async (n) => {
		const stub = tenantStub(env, `older-schema-${n}-${crypto.randomUUID()}`);
		const oldJob = newJobId(Date.now() - 60_000);
		await olderState(stub, TENANT_MIGRATIONS.slice(0, n), (sql) => {
			if (n >= 1) sql.exec("INSERT INTO jobs (id, status, created_at) VALUES (?, 'succeeded', ?)", oldJob, Date.now() - 60_000);
			if (n >= 3) sql.exec("INSERT INTO idempotency (key, body_hash, job_id, created_at) VALUES ('k1', 'h1', ?, ?)", oldJob, Date.now());
		});

		const fresh = await schemaOf(tenantStub(env, `fresh-schema-${crypto.randomUUID()}`));
		expect(await schemaOf(stub)).toEqual({ version: TENANT_MIGRATIONS.length, tables: fresh.tables });

		const newJob = newJobId();
		await stub.indexJob(newJob, "queued", Date.now());
		expect((await stub.listJobs({ limit: 10 })).ids).toEqual(n >= 1 ? [newJob, oldJob] : [newJob]);
		expect(await stub.claimIdempotencyKey("k1", "h1", newJob)).toEqual(n >= 3 ? { kind: "replay", jobId: oldJob } : { kind: "new" });
		expect(await stub.acquireRenderSlot({ jobId: newJob, until: Date.now() + 60_000, cap: 1, lane: "fast" })).toMatchObject({ kind: "granted" });
		await stub.releaseRenderSlot(newJob, true);
		const { created } = await stub.putDestination(
			"archive",
			{ endpoint: "https://s3.example.com", region: "auto", bucket: "b", forcePathStyle: true, accessKeyIdHint: "…abcd" },
			"sealed",
		);
		expect(created).toBe(true);
		expect((await stub.listDestinations()).map((d) => d.name)).toEqual(["archive"]);
		await stub.putWebhookEndpoint("sealed-endpoint");
		expect((await stub.getWebhookEndpoint())?.sealed).toBe("sealed-endpoint");
		expect(await stub.takeWebhookTest()).toBeNull();
		const face = {
			id: "fnt_1",
			family: "Acme Mono",
			weight: 400,
			style: "normal",
			format: "woff2",
			sizeBytes: 10,
			sha256: "00",
			createdAt: Date.now(),
		} as const;
		expect(await stub.putFont(face, 100)).toEqual({ ok: true, replaced: null });
		expect(await stub.putFont({ ...face, id: "fnt_2", family: "ACME MONO" }, 100)).toEqual({ ok: false, reason: "spelling", family: "Acme Mono" });
		expect((await stub.listFonts()).map((f) => f.id)).toEqual(["fnt_1"]);
		expect((await stub.deleteFonts("acme mono")).map((f) => f.id)).toEqual(["fnt_1"]);
		const certificate = {
			subject: "CN=a",
			issuer: "CN=a",
			notBefore: "2025-01-01T00:00:00.000Z",
			notAfter: "2045-01-01T00:00:00.000Z",
			sha256Fingerprint: "00",
		};
		expect((await stub.putSigningKey("seal", certificate, "sealed-key")).created).toBe(true);
		expect((await stub.listSigningKeys()).map((k) => k.name)).toEqual(["seal"]);
		expect(await stub.deleteSigningKey("seal")).toBe(true);
	});
});

describe("template objects stored by older code", () => {
	it.each(prefixes(TEMPLATE_MIGRATIONS))("with the first %i migrations applied: migrated on load, every operation works", async (n) => {
		const stub = templateStub(env, `older-schema-${n}-${crypto.randomUUID()}`);
		await olderState(stub, TEMPLATE_MIGRATIONS.slice(0, n), () => undefined);
		const fresh = await schemaOf(templateStub(env, `fresh-schema-${crypto.randomUUID()}`));
		expect(await schemaOf(stub)).toEqual({ version: TEMPLATE_MIGRATIONS.length, tables: fresh.tables });

		const created = await stub.create({ name: "invoice", html: "<h1>{{ n }}</h1>", sampleData: { n: 1 } });
		if (!created.ok) throw new Error(`create: ${created.reason}`);
		const updated = await stub.update(created.template.id, { html: "<h1>No. {{ n }}</h1>" });
		expect(updated.ok && updated.template.versions).toEqual([1, 2]);
		expect((await stub.source(created.template.id, 1))?.html).toBe("<h1>{{ n }}</h1>");
		expect((await stub.list(10)).data.map((t) => t.name)).toEqual(["invoice"]);
	});
});
