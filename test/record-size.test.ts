// A job's stored record stays under 1 MiB, counted as its Durable Object stores it (webhook headers
// sealed): past it the render is refused (413) before anything is written, in R2 or anywhere else.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { jsonBytes, MAX_RECORD_BYTES } from "../src/jobs/record-size";
import { endJob } from "../src/jobs/terminal";
import { buildReport } from "../src/render/report";
import { api, postRender } from "./support/worker/api";
import { jobRecord, webhookTo } from "./support/worker/jobs";
import { TEST_KEYS } from "./support/common/bindings";
import { expectError } from "./support/worker/errors";

const key = TEST_KEYS.globex;

/** `count` headers whose values take `bytes` each. */
const headers = (count: number, bytes: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`x-header-${i}`, "v".repeat(bytes)]));

/** What this tenant has stored: its stashed sources in R2 and its jobs. */
async function tenantState(): Promise<{ sources: string[]; jobs: string[] }> {
	const sources = (await env.DOCUMENTS.list({ prefix: "sources/globex/" })).objects.map((o) => o.key);
	const listing = (await (await api("/v1/renders?limit=100", { key })).json()) as { data: Array<{ id: string }> };
	return { sources, jobs: listing.data.map((j) => j.id) };
}

describe("the job record budget (1 MiB)", () => {
	it("20 parts of 45 large headers each (7.2 MB of options): 413 naming a part's headers, nothing in R2 and no job", async () => {
		const before = await tenantState();
		const parts = Array.from({ length: 20 }, (_, i) => ({ html: `<p>part ${i}</p>`, page: { headers: headers(45, 8000) } }));
		const error = await expectError(await postRender({ parts }, { key }), 413, "CONTENT_TOO_LARGE");
		expect(error.message).toMatch(/^the job's options take \d{7} bytes, more than 1 MiB/);
		expect(error.details?.map((d) => d.path)).toEqual([expect.stringMatching(/^parts\.\d+\.page\.headers$/)]);
		expect(await tenantState()).toEqual(before);
	});

	it("webhook headers count as stored, sealed: options under 1 MiB in plaintext but over it sealed are refused", async () => {
		// ~410 KB of page headers, ~150 KB of page templates and ~410 KB of webhook headers: ~970 KB as
		// sent, ~1.1 MB once the webhook headers are sealed (base64 of their ciphertext, a third more).
		const options = {
			html: "<p>x</p>",
			page: { headers: headers(50, 8192) },
			pdf: { displayHeaderFooter: true, headerTemplate: "h".repeat(100_000), footerTemplate: "f".repeat(50_000) },
		};
		const before = await tenantState();
		const webhook = { url: "https://hooks.example.com/edge-pdf", headers: headers(50, 8192) };
		const error = await expectError(await postRender({ ...options, webhook }, { key }), 413, "CONTENT_TOO_LARGE");
		expect(error.details?.map((d) => d.path)).toEqual(["webhook.headers"]);
		expect(await tenantState()).toEqual(before);
		// Without the webhook the same options fit.
		expect((await postRender(options, { key })).status).toBe(202);
	});
});

describe("the job record budget, once the job has ended with its report", () => {
	/** The largest report a page can cause: 20 parts, every list over its cap with texts over theirs. */
	function noisiestReport() {
		const long = (i: number) => `https://cdn.example.com/${"p".repeat(600)}/${i}`;
		const list = <T>(make: (i: number) => T) => Array.from({ length: 60 }, (_, i) => make(i));
		const page = {
			readiness: { lazyLoad: "done", images: "done", fonts: "done", networkIdle: "timed out" } as const,
			unfinishedWait: "w".repeat(600),
			resources: {
				requested: 900,
				failed: list((i) => ({ url: long(i), status: 404 })),
				blocked: list((i) => ({ url: long(i), reason: "URL_NOT_ALLOWED" })),
				pending: list(long),
			},
			console: list((i) => ({ level: "error" as const, text: `${i}"${"c".repeat(600)}` })),
			pageErrors: list((i) => `${i}"${"e".repeat(600)}`),
			phases: { navigateMs: 1, readyMs: 1, printMs: 1 },
		};
		return buildReport({ pages: Array.from({ length: 20 }, () => page), parts: true, pdf: null, finishMs: 1 });
	}

	it("a record at the 1 MiB budget, with the largest report in it and in its webhook event, fits a Durable Object value (2 MB)", async () => {
		const template = "t".repeat(MAX_RECORD_BYTES - 4096);
		const job = jobRecord({ status: "rendering", pdf: { headerTemplate: template }, webhook: webhookTo("https://hooks.example.com/x") });
		expect(jsonBytes(job)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
		job.report = noisiestReport();
		await endJob(env, job, "failed", Date.now(), { code: "RENDER_TIMEOUT", message: "the page did not finish" });
		expect(job.webhook?.eventBody).toContain('"report":{');
		expect(jsonBytes(job)).toBeLessThan(2_000_000);
	});
});
