// The render report: built from a page's observations (capped, redacted), and from the PDF itself
// (fonts, accessibility facts) as it streams to storage; kept on the job once it ends, in its
// webhook event too. The page-side collector's end-to-end cases are in render-report-e2e.test.ts.
import { describe, expect, it } from "vitest";
import invoice from "./fixtures/invoice.html?raw";
import { DocumentScan } from "../src/pdf/document-scan";
import type { PageObservations } from "../src/render/observations";
import { buildReport } from "../src/render/report";
import { REPORT_MAX_BYTES, type RenderReport } from "../src/schemas/report";
import { jsonBytes } from "../src/jobs/record-size";
import { getJob, renderToEnd } from "./support/worker/api";
import { editRecord, readRecord, storedJob } from "./support/worker/jobs";
import { classicPdf } from "./support/worker/pdf-build";
import { renderPdf } from "./support/worker/pdf";

/** A page that saw nothing wrong; each test adds what it needs. */
function observed(over: Partial<PageObservations> = {}): PageObservations {
	return {
		readiness: { lazyLoad: "done", images: "done", fonts: "done", networkIdle: "done" },
		unfinishedWait: null,
		resources: { requested: 1, failed: [], blocked: [], pending: [] },
		console: [],
		pageErrors: [],
		phases: { navigateMs: 10, readyMs: 20, printMs: 30 },
		...over,
	};
}

const report = (pages: PageObservations[], parts = false): RenderReport => buildReport({ pages, parts, pdf: null, finishMs: 5 });

const many = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

/** The facts read from a PDF's bytes, as the upload reads them. */
function factsOf(pdf: Uint8Array) {
	const scan = new DocumentScan();
	scan.feed(pdf);
	return { pages: scan.pages(), facts: scan.facts() };
}

describe("the report from a page's observations", () => {
	it("lists hold at most 50 entries and texts 500 characters, and truncated says a cap cut something", () => {
		const long = "x".repeat(2000);
		const r = report([
			observed({
				console: many(80, (i) => ({ level: "error" as const, text: `error ${i}` })),
				pageErrors: [long],
				resources: { requested: 120, failed: many(60, (i) => ({ url: `https://cdn.example.com/${i}.png`, status: 404 })), blocked: [], pending: [] },
			}),
		]);
		expect(r.console).toHaveLength(50);
		expect(r.console[49]).toEqual({ level: "error", text: "error 49" });
		expect(r.resources).toMatchObject({ requested: 120, failed: expect.any(Array) });
		expect(r.resources.failed).toHaveLength(50);
		expect(r.pageErrors[0]).toHaveLength(500);
		expect(r.truncated).toBe(true);
		expect(report([observed({ console: [{ level: "warning", text: "fine" }] })]).truncated).toBe(false);
	});

	it("reported URLs lose query, fragment and userinfo; URLs inside texts are redacted as in logs", () => {
		const r = report([
			observed({
				resources: {
					requested: 4,
					failed: [{ url: "https://user:hunter2@cdn.example.com/logo.png?token=s3cret#frag", status: 404 }],
					blocked: [{ url: "http://10.0.0.5/x?key=s3cret", reason: "URL_NOT_ALLOWED" }],
					pending: ["https://slow.example.com/feed?session=s3cret"],
				},
				console: [{ level: "error", text: "GET https://api.example.com/v1?apikey=s3cret 500" }],
				pageErrors: ["Error: could not load https://bob:pw@x.example.com/a?sig=s3cret"],
				unfinishedWait: "waitForSelector #chart",
			}),
		]);
		const json = JSON.stringify(r);
		for (const secret of ["s3cret", "hunter2", "user:", "bob:", "frag"]) expect(json).not.toContain(secret);
		expect(r.resources.failed[0]).toEqual({ url: "https://cdn.example.com/logo.png?[redacted]", status: 404 });
		expect(r.resources.blocked[0]).toEqual({ url: "http://10.0.0.5/x?[redacted]", reason: "URL_NOT_ALLOWED" });
		expect(r.resources.pending).toEqual(["https://slow.example.com/feed?[redacted]"]);
		expect(r.console[0]?.text).toBe("GET https://api.example.com/v1?[redacted] 500");
		expect(r.readiness.unfinishedWait).toBe("waitForSelector #chart");
	});

	it("with parts, each part's lists stand in parts[i], the top-level lists hold all of them, and a step timed out anywhere timed out", () => {
		const first = observed({ pageErrors: ["ReferenceError: a is not defined"] });
		const second = observed({
			readiness: { lazyLoad: "done", images: "timed out", fonts: "done", networkIdle: "skipped" },
			console: [{ level: "warning", text: "slow" }],
		});
		const r = report([first, second], true);
		expect(r.parts).toHaveLength(2);
		expect(r.parts?.[0]).toMatchObject({ pageErrors: ["ReferenceError: a is not defined"], console: [] });
		expect(r.parts?.[1]).toMatchObject({ pageErrors: [], console: [{ level: "warning", text: "slow" }] });
		expect(r.pageErrors).toEqual(["ReferenceError: a is not defined"]);
		expect(r.readiness).toMatchObject({ images: "timed out", networkIdle: "done" });
		expect(r.resources.requested).toBe(2);
		expect(r.phases).toEqual({ navigateMs: 20, readyMs: 40, printMs: 60, finishMs: 5 });
		expect(report([first]).parts).toBeUndefined();
	});

	it("a report of 20 parts with every list full of long texts is shortened to REPORT_MAX_BYTES, and says so", () => {
		const long = (i: number) => `https://cdn.example.com/${"p".repeat(600)}/${i}`;
		const noisy = observed({
			resources: {
				requested: 500,
				failed: many(60, (i) => ({ url: long(i), error: "net::ERR_FAILED" })),
				blocked: many(60, (i) => ({ url: long(i), reason: "URL_NOT_ALLOWED" })),
				pending: many(60, long),
			},
			console: many(60, (i) => ({ level: "error" as const, text: `${i}${"c".repeat(600)}` })),
			pageErrors: many(60, (i) => `${i}${"e".repeat(600)}`),
		});
		const r = report(
			many(20, () => noisy),
			true,
		);
		expect(jsonBytes(r)).toBeLessThanOrEqual(REPORT_MAX_BYTES);
		expect(r.truncated).toBe(true);
		expect(r.parts).toHaveLength(20);
		expect(r.parts?.[19]?.resources.failed.length).toBeGreaterThan(0);
	});

	it("a page that was never opened (or a part that never ran) reports every step skipped and nothing seen", () => {
		const r = buildReport({ pages: [observed(), undefined], parts: true, pdf: null, finishMs: 0 });
		expect(r.parts?.[1]).toEqual({ resources: { requested: 0, failed: [], blocked: [], pending: [] }, console: [], pageErrors: [] });
		const none = buildReport({ pages: [], parts: false, pdf: null, finishMs: 0 });
		expect(none.readiness).toEqual({ lazyLoad: "skipped", images: "skipped", fonts: "skipped", networkIdle: "skipped", unfinishedWait: null });
		expect([none.fonts, none.accessibility]).toEqual([[], null]);
	});
});

describe("the PDF's facts, read as it streams to storage", () => {
	it("fonts: a Type0 font embedded through its descendant, a simple font without a program, a Type3 font; each name once, no subset tag", () => {
		const pdf = classicPdf(
			{
				1: "<</Type /Catalog /Pages 2 0 R>>",
				2: "<</Type /Pages /Count 1 /Kids [3 0 R]>>",
				3: "<</Type /Page /Parent 2 0 R /Resources <</Font <</F1 4 0 R /F2 7 0 R /F3 8 0 R /F4 9 0 R>>>>>>",
				4: "<</Type /Font /Subtype /Type0 /BaseFont /AAAAAA+Inter-Regular /Encoding /Identity-H /DescendantFonts [5 0 R]>>",
				5: "<</Type /Font /Subtype /CIDFontType2 /BaseFont /AAAAAA+Inter-Regular /FontDescriptor 6 0 R>>",
				6: "<</Type /FontDescriptor /FontName /AAAAAA+Inter-Regular /FontFile2 10 0 R>>",
				7: "<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>",
				8: "<</Type /Font /Subtype /Type3 /FontBBox [0 0 1 1] /CharProcs <<>> /Encoding <<>>>>",
				9: "<</Type /Font /Subtype /Type0 /BaseFont /BAAAAA+Inter-Regular /Encoding /Identity-H /DescendantFonts [5 0 R]>>",
				10: "<</Length 0>>\nstream\n\nendstream",
			},
			"/Root 1 0 R",
		);
		const { pages, facts } = factsOf(pdf);
		expect(pages).toBe(1);
		expect(facts.ok && facts.facts.fonts).toEqual([
			{ name: "Inter-Regular", embedded: true },
			{ name: "Helvetica", embedded: false },
			{ name: "(Type3 font)", embedded: true },
		]);
		const r = buildReport({ pages: [], parts: false, pdf: facts, finishMs: 0 });
		expect(r.accessibility?.issues).toContain("1 font is not embedded");
	});

	it("a PDF whose fonts cannot be resolved still has its page count; the report says it could not inspect it", () => {
		const pdf = classicPdf(
			{
				1: "<</Type /Catalog /Pages 2 0 R>>",
				2: "<</Type /Pages /Count 1 /Kids []>>",
				3: "<</Type /Font /Subtype /TrueType /BaseFont /Gone /FontDescriptor 9 0 R>>",
			},
			"/Root 1 0 R",
		);
		const { pages, facts } = factsOf(pdf);
		expect(pages).toBe(1);
		expect(facts.ok).toBe(false);
		const r = buildReport({ pages: [], parts: false, pdf: facts, finishMs: 0 });
		expect(r.fonts).toEqual([]);
		expect(r.accessibility?.issues).toEqual([expect.stringMatching(/^the PDF could not be inspected: object 9 0 R/)]);
	});

	it("fonts of the invoice fixture, printed by Chromium: every face the PDF's font dictionaries name, embedded", async () => {
		const { job, bytes } = await renderPdf({ html: invoice });
		const named = new Set([...new TextDecoder("latin1").decode(bytes).matchAll(/\/BaseFont \/[A-Z]{6}\+([^\s/>]+)/g)].map((m) => m[1]));
		expect(named.size).toBeGreaterThan(0);
		expect(job.report?.fonts.map((f) => f.name).sort()).toEqual([...named].sort());
		expect(job.report?.fonts.every((f) => f.embedded)).toBe(true);
	});

	it("accessibility facts of a page with a <title>, lang, headings and an image without alt (tagged by default)", async () => {
		const dot = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
		const html = `<!doctype html><html lang="en"><title>Invoice 42</title><h1>Invoice</h1><h2>Items</h2><h2>Total</h2>
			<img src="${dot}" width="40" height="40"><img src="${dot}" alt="Acme logo" width="40" height="40">`;
		const { job } = await renderPdf({ html, pdf: { outline: true } });
		expect(job.report?.accessibility).toEqual({
			tagged: true,
			lang: "en",
			title: "Invoice 42",
			headings: 3,
			outlineEntries: 3,
			figures: 2,
			figuresWithoutAlt: 1,
			issues: ["1 figure has no alternative text"],
		});
	});

	it("an untagged page without language or title: the issues say so", async () => {
		const { job } = await renderPdf({ html: "<p>plain</p>", pdf: { tagged: false }, filename: "plain.pdf" });
		expect(job.report?.accessibility).toMatchObject({ tagged: false, lang: null, headings: 0 });
		// Without a <title>, the PDF is titled from the filename (pdf-metadata.ts).
		expect(job.report?.accessibility?.title).toBe("plain");
		expect(job.report?.accessibility?.issues).toEqual([
			"the PDF is not tagged: assistive technology gets no headings, figures or reading order",
			"no document language (set lang on the html element)",
		]);
	});
});

describe("the report on the job", () => {
	it("is null while the job runs and present once it ended; its webhook event carries the same report", async () => {
		const { job, stub } = await storedJob();
		const draft = buildReport({ pages: [observed()], parts: false, pdf: null, finishMs: 1 });
		await editRecord(stub, (r) => {
			r.status = "rendering";
			r.report = draft;
		});
		expect((await getJob(job.id)).report).toBeNull();

		const done = await renderToEnd({ html: "<title>T</title><p>x</p>", webhook: { url: "https://hooks.example.com/edge-pdf" } });
		expect(done.report).toMatchObject({ fonts: expect.any(Array), accessibility: { title: "T" }, truncated: false });
		expect(done.report?.phases.finishMs).toBeGreaterThanOrEqual(0);
		const event = JSON.parse((await readRecord(done.id)).webhook?.eventBody ?? "null") as { data: { report: unknown } };
		expect(event.data.report).toEqual(done.report);
	});

	it("a failed job carries the report of its final attempt: no PDF, so no fonts and no accessibility facts", async () => {
		const job = await renderToEnd({ url: "https://edge-pdf-no-such-host.invalid/" });
		expect(job.status).toBe("failed");
		expect(job.report).toMatchObject({ fonts: [], accessibility: null, truncated: false });
	});
});
