// Real PDFs through the BROWSER binding (local Chromium), checked with pdf.js.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import invoice from "./fixtures/invoice.html?raw";
import long from "./fixtures/long.html?raw";
import { PageCounter } from "../src/pdf/page-count";
import { sha256Hex } from "../src/security/crypto";
import { sourceKey } from "../src/storage/documents";
import { download, getJob, postRender, renderToEnd } from "./support/worker/api";
import { MM, readPdf, renderPdf } from "./support/worker/pdf";

/** Enough paragraphs to fill a little over one A4 page with default margins. */
const TALL = `<style>p{margin:0;font:12px/20px sans-serif}</style>${Array.from({ length: 45 }, (_, i) => `<p>line ${i}</p>`).join("")}`;

describe("rendering real PDFs", () => {
	it("renders the 2-page invoice fixture: %PDF-, pages, text, size, sha256", async () => {
		const { job, bytes, facts } = await renderPdf({
			html: invoice,
			pdf: { format: "A4", printBackground: true },
			filename: "invoice-42.pdf",
			metadata: { invoiceId: "42" },
		});
		expect(facts.pages).toBe(2);
		expect(job.document!.pages).toBe(2);
		expect(job.document!.sizeBytes).toBe(bytes.byteLength);
		expect(job.document!.sha256).toBe(await sha256Hex(bytes));
		expect(job.document!.filename).toBe("invoice-42.pdf");
		expect(job.metadata).toEqual({ invoiceId: "42" });
		expect(facts.text).toMatch(/invoice/i);
		expect(facts.size.width).toBeCloseTo(210 * MM, -1);
		expect(facts.size.height).toBeCloseTo(297 * MM, -1);
		expect(job.attempts).toBe(1);
		expect(job.timings.renderMs).toBeGreaterThan(0);
		expect(job.source).toEqual({ type: "html", bytes: new TextEncoder().encode(invoice).byteLength });
	});

	it("landscape swaps the page's width and height", async () => {
		const { facts } = await renderPdf({ html: "<p>wide</p>", pdf: { format: "A4", landscape: true } });
		expect(facts.size.width).toBeCloseTo(297 * MM, -1);
		expect(facts.size.height).toBeCloseTo(210 * MM, -1);
	});

	it("format Letter gives a US Letter page", async () => {
		const { facts } = await renderPdf({ html: "<p>letter</p>", pdf: { format: "Letter" } });
		expect(facts.size).toEqual({ width: 612, height: 792 });
	});

	it("width and height give a custom page", async () => {
		const { facts } = await renderPdf({ html: "<p>label</p>", pdf: { width: "100mm", height: "50mm" } });
		expect(facts.size.width).toBeCloseTo(100 * MM, -1);
		expect(facts.size.height).toBeCloseTo(50 * MM, -1);
	});

	it("margins change how much fits on a page", async () => {
		const tight = await renderPdf({ html: TALL, pdf: { margin: { top: "0mm", bottom: "0mm" } } });
		const wide = await renderPdf({ html: TALL, pdf: { margin: { top: "80mm", bottom: "80mm" } } });
		expect(tight.facts.pages).toBe(1);
		expect(wide.facts.pages).toBeGreaterThanOrEqual(2);
		expect(wide.job.document!.pages).toBe(wide.facts.pages);
	});

	it("pageRanges keeps only the pages asked for", async () => {
		const { facts } = await renderPdf({ html: invoice, pdf: { pageRanges: "2" } });
		expect(facts.pages).toBe(1);
	});

	it("header and footer templates are printed", async () => {
		const { facts } = await renderPdf({
			html: "<p>body</p>",
			pdf: {
				displayHeaderFooter: true,
				headerTemplate: "<span style='font-size:10px'>HEADER-MARK</span>",
				footerTemplate: "<span style='font-size:10px'>page <span class='pageNumber'></span></span>",
				margin: { top: "20mm", bottom: "20mm" },
			},
		});
		expect(facts.text).toContain("HEADER-MARK");
		expect(facts.text).toContain("page 1");
	});

	it("javaScriptEnabled:false stops scripts; waitForSelector waits for them", async () => {
		// The first change runs while the page parses (before load); the second only 200 ms after it.
		const html =
			"<p id=t>STATIC-TEXT</p><script>document.getElementById('t').textContent='SCRIPTED-TEXT';" +
			"setTimeout(()=>document.body.insertAdjacentHTML('beforeend','<p id=ready>LATE-TEXT</p>'),200)</script>";
		const off = (await renderPdf({ html, page: { javaScriptEnabled: false } })).facts.text;
		expect(off).toContain("STATIC-TEXT");
		expect(off).not.toContain("SCRIPTED-TEXT");
		const waited = (await renderPdf({ html, page: { waitForSelector: "#ready" } })).facts.text;
		expect(waited).toContain("SCRIPTED-TEXT");
		expect(waited).toContain("LATE-TEXT");
	});

	it("emulateMediaType switches print and screen CSS", async () => {
		const html = "<style>@media print{.s{display:none}} @media screen{.p{display:none}}</style><p class=p>PRINT-ONLY</p><p class=s>SCREEN-ONLY</p>";
		expect((await renderPdf({ html })).facts.text).toContain("PRINT-ONLY");
		const screen = (await renderPdf({ html, page: { emulateMediaType: "screen" } })).facts.text;
		expect(screen).toContain("SCREEN-ONLY");
		expect(screen).not.toContain("PRINT-ONLY");
	});

	it("a selector that never appears fails the job with RENDER_TIMEOUT after one more attempt, not RENDER_MAX_ATTEMPTS", async () => {
		const job = await renderToEnd({ html: "<p>never</p>", page: { waitForSelector: "#nope", timeoutMs: 1000 } });
		expect(job.status).toBe("failed");
		expect(job.error?.code).toBe("RENDER_TIMEOUT");
		expect(job.attempts).toBe(2);
		expect(job.document).toBeNull();
	});

	it("large HTML travels through R2, not the queue, and is cleaned up afterwards", async () => {
		const html = `<h1>BIG-DOC</h1>${"<p>filler paragraph with some words</p>".repeat(5000)}`;
		expect(html.length).toBeGreaterThan(128 * 1024);
		const { job, facts } = await renderPdf({ html });
		expect(facts.text).toContain("BIG-DOC");
		expect(job.document!.pages).toBe(facts.pages);
		expect(await env.DOCUMENTS.head(sourceKey("acme", job.id))).toBeNull();
	});

	it("async:false answers with the PDF itself, and records the job like async mode", async () => {
		const res = await postRender({ html: "<h1>Synchronous</h1>", async: false, filename: "sync.pdf" });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("application/pdf");
		expect(res.headers.get("content-disposition")).toContain('filename="sync.pdf"');
		const id = res.headers.get("render-id")!;
		const bytes = new Uint8Array(await res.arrayBuffer());
		expect((await readPdf(bytes)).text).toContain("Synchronous");
		const job = await getJob(id);
		expect(job.status).toBe("succeeded");
		expect(job.document!.sha256).toBe(await sha256Hex(bytes));
		const stored = new Uint8Array(await (await download(job.document!.url)).arrayBuffer());
		expect(stored).toEqual(bytes);
	});

	it("the streamed page count agrees with pdf.js on a multi-level page tree, however the bytes are chunked", async () => {
		const html = Array.from({ length: 30 }, (_, i) => `<section style="page-break-after:always">page ${i + 1}</section>`).join("");
		const { job, bytes, facts } = await renderPdf({ html });
		expect(facts.pages).toBe(30);
		expect(job.document!.pages).toBe(30);
		for (const size of [7, 100, 4096]) {
			const counter = new PageCounter();
			for (let at = 0; at < bytes.byteLength; at += size) counter.feed(bytes.subarray(at, at + size));
			expect(counter.count()).toBe(30);
		}
	});

	it("renders the 102-page report fixture and stores it whole", async () => {
		const { job, bytes, facts } = await renderPdf({ html: long, pdf: { format: "A4", printBackground: true }, page: { timeoutMs: 120000 } });
		expect(facts.pages).toBe(102);
		expect(job.document!.pages).toBe(102);
		expect(job.document!.sizeBytes).toBe(bytes.byteLength);
		expect(job.document!.sha256).toBe(await sha256Hex(bytes));
	}, 120_000);
});
