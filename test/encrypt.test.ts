// pdf.encrypt: AES-256 (revision 6) read back with qpdf and poppler, the refusals, and the passwords
// as secrets (sealed while the job waits, erased once it ends, never shown or logged).
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { jobStub } from "../src/jobs/ids";
import type { JobObject } from "../src/jobs/job-object";
import type { Job } from "../src/schemas/job";
import { api, download, getJob, postRender, renderToEnd, waitForJob } from "./support/worker/api";
import { errorOf } from "./support/worker/errors";
import { deliver, queueRecorder, readRecord } from "./support/worker/jobs";
import { logsOfEachTest } from "./support/worker/logs";
import { storedDocuments } from "./support/worker/pdf";
import { runTool } from "./support/worker/pdf-tools";

const logs = logsOfEachTest();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const page = (words: string) => `<!doctype html><title>Payslip</title><p style="font-size:24pt">${words}</p>`;

/** An async render that must succeed, and its PDF as downloaded. */
async function encryptedPdf(body: Record<string, unknown>): Promise<{ job: Job; bytes: Uint8Array }> {
	const job = await renderToEnd(body);
	expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
	const res = await download(job.document!.url);
	expect(res.status).toBe(200);
	return { job, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** qpdf --show-encryption with `password`: its report as "key: value" lines. */
async function showEncryption(bytes: Uint8Array, password: string): Promise<string> {
	const run = await runTool("qpdf", ["--show-encryption", `--password=${password}`, "{pdf}"], bytes);
	expect(run.code, run.stderr).toBe(0);
	return text(run.stdout);
}

/** poppler's pdftotext, given the user password (-upw) or the owner password (-opw), or none. */
function pdftotext(bytes: Uint8Array, password?: { upw: string } | { opw: string }) {
	const given = password ? Object.entries(password).flatMap(([flag, value]) => [`-${flag}`, value]) : [];
	return runTool("pdftotext", [...given, "-enc", "UTF-8", "{pdf}", "-"], bytes);
}

describe("encryption", () => {
	it("qpdf reports revision 6, AES-256 for streams and strings and the permissions asked; the text opens with either password only", async () => {
		const permissions = { print: "low", copy: false, modify: false, annotate: false, fillForms: true, accessibility: true, assemble: false };
		const { job, bytes } = await encryptedPdf({
			html: page("Net salary 4200"),
			pdf: { encrypt: { userPassword: "employee-7f3a", ownerPassword: "payroll-owner-91c2", permissions } },
		});
		expect(job.document?.pages).toBe(1);
		// The report reads the stored file: its title and language are ciphertext there, so not given (nor called missing).
		expect(job.report?.accessibility).toMatchObject({ title: null, lang: null });
		expect(job.report?.accessibility?.issues.join(" ")).not.toMatch(/title|language/);
		const asUser = await showEncryption(bytes, "employee-7f3a");
		expect(asUser).toContain("R = 6");
		expect(asUser).toContain("Supplied password is user password");
		for (const line of [
			"stream encryption method: AESv3",
			"string encryption method: AESv3",
			"print low resolution: allowed",
			"print high resolution: not allowed",
			"extract for any purpose: not allowed",
			"extract for accessibility: allowed",
			"modify forms: allowed",
			"modify annotations: not allowed",
			"modify document assembly: not allowed",
			"modify other: not allowed",
		])
			expect(asUser).toContain(line);
		expect(await showEncryption(bytes, "payroll-owner-91c2")).toContain("Supplied password is owner password");

		const locked = await pdftotext(bytes);
		expect(locked.code).not.toBe(0);
		expect(text(locked.stdout)).not.toContain("4200");
		for (const password of [{ upw: "employee-7f3a" }, { opw: "payroll-owner-91c2" }]) {
			const opened = await pdftotext(bytes, password);
			expect(opened.code, opened.stderr).toBe(0);
			expect(text(opened.stdout)).toContain("Net salary 4200");
		}
		const check = await runTool("qpdf", ["--check", "--password=employee-7f3a", "{pdf}"], bytes);
		expect(check.code, text(check.stdout) + check.stderr).toBe(0);
		// Nothing readable is left in the clear: the title is an encrypted string too.
		expect(new TextDecoder("latin1").decode(bytes)).not.toContain("Payslip");
	});

	it("without ownerPassword a random one is used: the user password opens the file but is not the owner's; every permission defaults to allowed", async () => {
		const { bytes } = await encryptedPdf({ html: page("Default permissions"), pdf: { encrypt: { userPassword: "only-user-5d1e" } } });
		const report = await showEncryption(bytes, "only-user-5d1e");
		expect(report).toContain("Supplied password is user password");
		expect(report).not.toContain("owner password");
		for (const line of ["print high resolution: allowed", "extract for any purpose: allowed", "modify anything: allowed"]) expect(report).toContain(line);
	});

	it("a merged parts render is encrypted as one document", async () => {
		const { job, bytes } = await encryptedPdf({
			parts: [{ html: page("FIRST part") }, { html: page("SECOND part") }],
			pdf: { encrypt: { userPassword: "parts-pw-0a9b" } },
		});
		expect(job.document?.pages).toBe(2);
		expect(await showEncryption(bytes, "parts-pw-0a9b")).toContain("R = 6");
		const opened = await pdftotext(bytes, { upw: "parts-pw-0a9b" });
		expect(text(opened.stdout)).toMatch(/FIRST part[\s\S]*SECOND part/);
		expect((await pdftotext(bytes)).code).not.toBe(0);
	});

	it("refusals: a preview, a non-PDF output, a part's own encrypt, encrypt with sign or a standard and a password past 127 bytes are each a 400 naming the field; nothing is created", async () => {
		const encrypt = { userPassword: "pw" };
		const cases: Array<[Record<string, unknown>, string]> = [
			[{ html: page("x"), preview: {}, pdf: { encrypt } }, "preview"],
			[{ html: page("x"), output: "png", pdf: { encrypt } }, "pdf.encrypt"],
			[{ parts: [{ html: page("x"), pdf: { encrypt } }] }, "parts.0.pdf.encrypt"],
			[{ html: page("x"), pdf: { encrypt, sign: { key: "company-seal" } } }, "pdf.encrypt"],
			[{ html: page("x"), pdf: { encrypt, standard: "PDF/A-3b" } }, "pdf.encrypt"],
			[{ html: page("x"), pdf: { encrypt: { userPassword: "é".repeat(64) } } }, "pdf.encrypt.userPassword"],
			[{ html: page("x"), pdf: { encrypt: { userPassword: "pw", ownerPassword: "x".repeat(128) } } }, "pdf.encrypt.ownerPassword"],
			[{ html: page("x"), pdf: { encrypt: { userPassword: "" } } }, "pdf.encrypt.userPassword"],
			[{ html: page("x"), pdf: { encrypt: { userPassword: "pw", permissions: { print: "sometimes" } } } }, "pdf.encrypt.permissions.print"],
		];
		const before = (await env.DOCUMENTS.list({ prefix: "sources/" })).objects.length;
		for (const [body, path] of cases) {
			const error = await errorOf(await postRender(body));
			expect(error, path).toMatchObject({ status: 400, code: "INVALID_REQUEST" });
			expect(error.paths, JSON.stringify(error.details)).toContain(path);
			expect(JSON.stringify(error)).not.toContain("é".repeat(64));
		}
		expect((await env.DOCUMENTS.list({ prefix: "sources/" })).objects.length).toBe(before);
		const listed = (await (await api("/v1/renders?limit=100")).json()) as { data: Job[] };
		expect(listed.data.filter((j) => j.createdAt > new Date(Date.now() - 60_000).toISOString() && j.status === "queued")).toEqual([]);
	});
});

describe("encryption passwords are secrets", () => {
	const USER = "user-secret-3e7b";
	const OWNER = "owner-secret-c58d";

	/** The record exactly as the job's Durable Object stores it. */
	const storedText = (id: string) =>
		runInDurableObject(jobStub(env, id), async (_i: JobObject, state) => state.storage.sql.exec<{ record: string }>("SELECT record FROM job").one().record);

	it("sealed at rest while the job waits, erased once it ends; never in the job, its webhook event or a log line", async () => {
		const body = {
			html: page("Sealed"),
			pdf: { encrypt: { userPassword: USER, ownerPassword: OWNER, permissions: { copy: false } } },
			webhook: { url: "https://hooks.example.com/encrypted" },
		};
		// Accepted but not queued: the job waits until the test hands its message to the consumer.
		const res = await api("/v1/renders", {
			method: "POST",
			body: JSON.stringify(body),
			headers: { "content-type": "application/json" },
			env: { ...env, RENDER_QUEUE: queueRecorder() },
		});
		expect(res.status).toBe(202);
		const accepted = await res.text();
		const { id } = JSON.parse(accepted) as Job;
		const waiting = await storedText(id);
		await deliver("edge-pdf-render", [{ jobId: id }]);
		const terminal = await waitForJob(id);
		expect(terminal.status, JSON.stringify(terminal.error)).toBe("succeeded");

		// While it waited: the permissions in the clear, the passwords sealed for this job.
		for (const secret of [USER, OWNER]) expect(waiting).not.toContain(secret);
		const record = await readRecord(id);
		expect(record.pdf).not.toHaveProperty("encrypt");
		expect(record.encrypt).toEqual({ permissions: { copy: false }, sealedPasswords: null });
		expect(JSON.parse(waiting).encrypt.sealedPasswords).toMatch(/^s1\./);

		// Once terminal: nothing left to open, and nothing shown anywhere.
		const shown = [accepted, JSON.stringify(await getJob(id)), await storedText(id), record.webhook?.eventBody ?? "", ...logs().lines];
		expect(record.webhook?.eventBody).toContain(id);
		for (const where of shown) for (const secret of [USER, OWNER]) expect(where).not.toContain(secret);
		expect(await storedDocuments(id)).toHaveLength(1);
	});

	it("an Idempotency-Key replays the same body with passwords, and a different password is another body", async () => {
		const key = `enc-${crypto.randomUUID()}`;
		const body = { html: page("Once"), pdf: { encrypt: { userPassword: USER } } };
		const first = await postRender(body, { headers: { "idempotency-key": key } });
		expect(first.status).toBe(202);
		const replay = await postRender(body, { headers: { "idempotency-key": key } });
		expect(replay.status).toBe(200);
		expect(replay.headers.get("idempotent-replayed")).toBe("true");
		expect(((await replay.json()) as Job).id).toBe(((await first.json()) as Job).id);
		const other = await postRender({ ...body, pdf: { encrypt: { userPassword: OWNER } } }, { headers: { "idempotency-key": key } });
		expect((await errorOf(other)).code).toBe("IDEMPOTENCY_CONFLICT");
	});
});
