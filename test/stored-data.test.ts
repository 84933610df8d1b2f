// What we stored ourselves is read back through its schema: a row that no longer matches is a
// corrupted store, answered as a 500 INTERNAL with a safe message, and logged with its cause (which
// fields are wrong), never with a stored value. What older code stored in an older shape still reads.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ensureEventLog, eventsAfter, storedView } from "../src/jobs/event-log";
import { jobStub } from "../src/jobs/ids";
import type { JobObject } from "../src/jobs/job-object";
import { jobView } from "../src/jobs/view";
import { seal } from "../src/security/secret-box";
import { tenantStub, type TenantObject } from "../src/tenants/tenant-object";
import { api } from "./support/worker/api";
import { expectError } from "./support/worker/errors";
import { jobRecord } from "./support/worker/jobs";
import { logsOfEachTest } from "./support/worker/logs";
import { EXAMPLE_DESTINATION } from "./support/worker/s3";

const logs = logsOfEachTest();

async function saveDestination(name: string): Promise<void> {
	const res = await api(`/v1/destinations/${name}`, {
		method: "PUT",
		headers: { "content-type": "application/json" },
		body: JSON.stringify(EXAMPLE_DESTINATION),
	});
	expect(res.status).toBe(201);
}

/** Overwrites one column of the saved destination's row, as a bad write or a bad migration would. */
function overwrite(name: string, column: "config" | "sealed", value: string): Promise<void> {
	return runInDurableObject(tenantStub(env, "acme"), async (_i: TenantObject, state) => {
		expect(state.storage.sql.exec(`UPDATE destinations SET ${column} = ? WHERE name = ?`, value, name).rowsWritten).toBe(1);
	});
}

/** The 500 answer, and the one "unhandled error" line it logged. */
async function internalError(res: Response): Promise<string> {
	const error = await expectError(res, 500, "INTERNAL");
	expect(error.message).toBe("internal error");
	const line = await logs().waitFor({ msg: "unhandled error" });
	return String(line.error);
}

describe("a corrupted stored row", () => {
	it("a saved destination whose stored config lacks a field answers 500 INTERNAL, and the log names the field", async () => {
		const name = "corrupted-config";
		await saveDestination(name);
		const { bucket: _bucket, ...withoutBucket } = { ...EXAMPLE_DESTINATION, forcePathStyle: false, accessKeyIdHint: "…2345" };
		await overwrite(name, "config", JSON.stringify(withoutBucket));

		const cause = await internalError(await api(`/v1/destinations/${name}`));
		expect(cause).toMatch(/^corrupted stored destination config of "corrupted-config": bucket: /);
		await internalError(await api("/v1/destinations"));
	});

	it("sealed credentials that open to something other than JSON answer 500, and the log quotes none of it", async () => {
		const name = "corrupted-credentials";
		await saveDestination(name);
		// Not JSON: JSON.parse's own message would quote the text, here a secret key.
		const plaintext = `secretAccessKey=${EXAMPLE_DESTINATION.secretAccessKey}`;
		await overwrite(name, "sealed", await seal(env, "acme", `destination:${name}`, plaintext));

		const cause = await internalError(await api(`/v1/destinations/${name}/check`, { method: "POST" }));
		expect(cause).toBe(`corrupted stored credentials of destination "${name}": not JSON`);
		expect(logs().lines.join("\n")).not.toContain(EXAMPLE_DESTINATION.secretAccessKey);
	});

	it("sealed credentials that lack the secret answer 500, and the log names the field, not the key id", async () => {
		const name = "credentials-without-secret";
		await saveDestination(name);
		const opened = JSON.stringify({ accessKeyId: EXAMPLE_DESTINATION.accessKeyId });
		await overwrite(name, "sealed", await seal(env, "acme", `destination:${name}`, opened));

		const cause = await internalError(await api(`/v1/destinations/${name}/check`, { method: "POST" }));
		expect(cause).toMatch(/^corrupted stored credentials of destination "credentials-without-secret": secretAccessKey: /);
		expect(logs().lines.join("\n")).not.toContain(EXAMPLE_DESTINATION.accessKeyId);
	});
});

describe("the job's event log as older code stored it", () => {
	it("a view stored before a render's templates and parts' sources, or its report, were recorded reads them as null; a view that is no job is refused", async () => {
		const record = jobRecord();
		const view = storedView(await jobView(env, record));
		const olderTemplate = { type: "template", id: "tpl_01jd7y3k9q2x4m5n6p7r8s9t0v", version: 3, bytes: 120 };
		await runInDurableObject(jobStub(env, record.id), async (_i: JobObject, state) => {
			const sql = state.storage.sql;
			ensureEventLog(sql);
			const append = (stored: unknown) =>
				sql.exec(
					"INSERT INTO job_events (kind, status, attempts, webhook_attempts, last_attempt, view) VALUES ('status', 'queued', 0, 0, 'null', ?)",
					JSON.stringify(stored),
				);
			append({ ...view, source: olderTemplate });
			append({ ...view, source: { type: "parts", count: 2 } });
			expect(eventsAfter(sql, 0).map((event) => event.view.source)).toEqual([
				{ ...olderTemplate, templates: null },
				{ type: "parts", count: 2, parts: null },
			]);
			const { report: _none, ...beforeReports } = view;
			append(beforeReports);
			expect(eventsAfter(sql, 2).map((event) => event.view.report)).toEqual([null]);
			append({ ...view, status: "done" });
			expect(() => eventsAfter(sql, 0)).toThrow(/^corrupted stored job event 4: status: /);
		});
	});
});
