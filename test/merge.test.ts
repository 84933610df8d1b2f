// Merged parts: several sources, each with its own options, printed and merged in order into one PDF.
import { describe, expect, it } from "vitest";
import { extractText, getDocumentProxy } from "unpdf";
import { PDFDocument } from "pdf-lib";
import { api, download, getJob, postRender, renderToEnd } from "./support/worker/api";
import { collectPart, countPart } from "../src/render/merge";
import { WHOLE_PDF_MAX_BYTES, WHOLE_PDF_MAX_OBJECTS, wholePdfState, withWholePdf } from "../src/render/pdf-memory";
import { declaredObjectCount } from "../src/pdf/object-count";
import { readPdf, renderPdf, storedDocuments } from "./support/worker/pdf";
import { readPdfInfo } from "./support/common/pdf-info";
import { decodePng, dominantColour } from "./support/worker/png";
import { errorOf } from "./support/worker/errors";
import { poll } from "./support/worker/poll";

async function pageTexts(bytes: ArrayBuffer): Promise<string[]> {
	const pdf = await getDocumentProxy(new Uint8Array(bytes));
	const { text } = await extractText(pdf, { mergePages: false });
	return text;
}

const page = (label: string) => `<!doctype html><p style="font-size:30pt">${label}</p>`;

describe("merged parts", () => {
	it("three parts merge into one PDF, pages in order, each with its own options; pages and sha256 describe the merged file", async () => {
		const tpl = await api("/v1/templates", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ name: `part-${crypto.randomUUID().slice(0, 8)}`, html: "<p style='font-size:30pt'>THIRD {{ who }}</p>" }),
		});
		const { id, name } = (await tpl.json()) as { id: string; name: string };
		const job = await renderToEnd({
			parts: [
				{ html: page("FIRST cover") },
				{ html: page("SECOND landscape"), pdf: { format: "A5", landscape: true } },
				{ template: { id, data: { who: "from a template" } } },
			],
			pdf: { metadata: { title: "Merged pack", author: "ACME" } },
		});
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		expect(job.source).toEqual({
			type: "parts",
			count: 3,
			parts: [
				{ type: "html", bytes: page("FIRST cover").length },
				{ type: "html", bytes: page("SECOND landscape").length },
				{ type: "template", id, version: 1, bytes: expect.any(Number), templates: [{ id, name, version: 1 }] },
			],
		});
		expect(job.document?.pages).toBe(3);
		const bytes = await (await download(job.document?.url ?? "")).arrayBuffer();
		const sha = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
		expect([bytes.byteLength, sha]).toEqual([job.document?.sizeBytes, job.document?.sha256]);
		const texts = await pageTexts(bytes.slice(0));
		expect(texts).toHaveLength(3);
		expect(texts[0]).toContain("FIRST cover");
		expect(texts[1]).toContain("SECOND landscape");
		expect(texts[2]).toContain("THIRD from a template");
		const pdf = await getDocumentProxy(new Uint8Array(bytes.slice(0)));
		const [w1, h1] = (await pdf.getPage(1)).view.slice(2);
		const [w2, h2] = (await pdf.getPage(2)).view.slice(2);
		expect((w1 ?? 0) < (h1 ?? 0)).toBe(true);
		expect((w2 ?? 0) > (h2 ?? 0)).toBe(true);
		expect(await readPdfInfo(bytes.slice(0))).toMatchObject({ Title: "Merged pack", Author: "ACME" });
	});

	it("a preview of merged parts shows the first part's first page", async () => {
		const full = (colour: string) =>
			`<!doctype html><style>@page{margin:0}html,body{margin:0}div{height:296mm;background:${colour};print-color-adjust:exact;-webkit-print-color-adjust:exact}</style><div></div>`;
		const job = await renderToEnd({ parts: [{ html: full("#e02020") }, { html: full("#2040e0") }], preview: { width: 120 } });
		expect(job.document).toMatchObject({ pages: 2, preview: { contentType: "image/png", width: 120 } });
		const pixels = await decodePng(new Uint8Array(await (await download(job.document?.preview?.url ?? "")).arrayBuffer()));
		expect(dominantColour(pixels)).toEqual([224, 32, 32]);
	});

	it("a failing part fails the job with its index", async () => {
		const res = await postRender({
			parts: [{ html: page("fine") }, { html: page("one page only"), pdf: { pageRanges: "5-6" } }, { html: page("never reached") }],
			async: false,
		});
		expect(res.status).toBe(400);
		const body = (await res.json()) as { error: { code: string; message: string } };
		expect(body.error.code).toBe("INVALID_REQUEST");
		expect(body.error.message).toMatch(/^parts\[1\]: /);
		const job = await getJob(res.headers.get("render-id") ?? "");
		expect(job.status).toBe("failed");
		expect(job.error?.message).toMatch(/^parts\[1\]: /);
	});

	it("validates parts: at most 20, exactly one source each, URLs by the address policy", async () => {
		const many = await postRender({ parts: Array.from({ length: 21 }, () => ({ html: "<p>x</p>" })) });
		expect(await errorOf(many)).toMatchObject({ status: 400, code: "INVALID_REQUEST", paths: ["parts"] });
		const twoSources = await postRender({ parts: [{ html: "<p>x</p>", url: "https://example.com" }] });
		expect(await errorOf(twoSources)).toMatchObject({ status: 400, code: "INVALID_REQUEST", paths: ["parts.0.url"] });
		const local = await postRender({ parts: [{ html: "<p>x</p>" }, { url: "http://127.0.0.1/" }] });
		expect(local.status).toBe(400);
		expect(((await local.json()) as { error: { code: string; details: Array<{ path: string }> } }).error).toMatchObject({
			code: "URL_NOT_ALLOWED",
			details: [{ path: "parts.1.url" }],
		});
		const both = await postRender({ parts: [{ html: "<p>x</p>" }], html: "<p>y</p>" });
		expect(await errorOf(both)).toMatchObject({
			status: 400,
			code: "INVALID_REQUEST",
			details: [{ path: "url", message: "exactly one of url, html, template, markdown or parts is required" }],
		});
	});
});

describe("merge limits (the whole-PDF budget)", () => {
	const stream = (sizes: number[]) =>
		new ReadableStream<Uint8Array>({
			start(controller) {
				for (const size of sizes) controller.enqueue(new Uint8Array(size).fill(37));
				controller.close();
			},
		});

	it(`a part that takes the parts past ${WHOLE_PDF_MAX_BYTES} bytes fails CONTENT_TOO_LARGE naming it; one that fits is kept whole`, async () => {
		const kept = await collectPart(stream([1000, 24]), 1024, 0);
		expect(kept.byteLength).toBe(1024);
		const over = collectPart(stream([1000, 25]), 1024, 4);
		await expect(over).rejects.toMatchObject({ code: "CONTENT_TOO_LARGE", transient: false });
		await expect(over).rejects.toThrow(new RegExp(`^parts\\[4\\]: .*${WHOLE_PDF_MAX_BYTES} bytes, the merge limit`));
	});

	it(`a part that takes the parts past ${WHOLE_PDF_MAX_OBJECTS} objects fails CONTENT_TOO_LARGE naming it, read from its trailer; one that fits is counted`, async () => {
		const doc = await PDFDocument.create();
		for (let i = 0; i < 9; i++) doc.addPage();
		const bytes = await doc.save({ useObjectStreams: false });
		const objects = declaredObjectCount(bytes) ?? 0;
		expect(objects).toBeGreaterThan(9);
		expect(countPart(bytes, objects, 0)).toBe(objects);
		expect(() => countPart(bytes, objects - 1, 2)).toThrow(new RegExp(`^parts\\[2\\]: .*${WHOLE_PDF_MAX_OBJECTS} PDF objects, the merge limit`));
		expect(() => countPart(new TextEncoder().encode("%PDF-1.7 no trailer"), objects, 1)).toThrow(/^parts\[1\]: .*no readable cross-reference trailer/);
	});
});

// Dense parts, printed by the real browser. Objects: headings in a PDF outline (Chromium writes
// outline and structure objects for each: the cheapest objects it prints). Bytes: a canvas of
// noise (one image stream that no compression shrinks).
const headings = (n: number) =>
	`<!doctype html><title>dense</title><style>h1{font-size:2px;line-height:2px;margin:0}</style>${Array.from({ length: n }, (_, i) => `<h1>h${i}</h1>`).join("")}`;
const noise = (side: number) =>
	`<!doctype html><title>noise</title><style>@page{margin:0}body{margin:0}canvas{width:100%}</style><canvas width="${side}" height="${side}"></canvas><script>
const c=document.querySelector("canvas"),g=c.getContext("2d"),d=g.createImageData(${side},${side}),u=new Uint32Array(d.data.buffer);let x=7;
for(let i=0;i<u.length;i++){x^=x<<13;x^=x>>>17;x^=x<<5;u[i]=x|0xff000000;}g.putImageData(d,0,0);</script>`;

/** One part printed alone, kept as Chrome printed it (a <title> and no metadata): its objects and bytes. */
async function probe(html: string, pdf: Record<string, unknown>): Promise<{ objects: number; bytes: number; pages: number }> {
	const { bytes, facts } = await renderPdf({ html, pdf });
	return { objects: declaredObjectCount(bytes) ?? 0, bytes: bytes.byteLength, pages: facts.pages };
}

/** A part about a tenth of the limit, and how many of them fit: at least 90 % of the limit. */
async function denseParts(html: string, pdf: Record<string, unknown>, measure: "objects" | "bytes", limit: number) {
	const part = await probe(html, pdf);
	const fit = Math.floor(limit / part[measure]);
	expect(fit * part[measure]).toBeGreaterThanOrEqual(0.9 * limit);
	expect(fit).toBeLessThan(20);
	return { part, fit, parts: (n: number) => Array.from({ length: n }, () => ({ html, pdf })) };
}

describe("dense merges at the limits", () => {
	const limits = [
		{
			limit: "object",
			unit: "PDF objects",
			max: WHOLE_PDF_MAX_OBJECTS,
			part: () => denseParts(headings(Math.round(WHOLE_PDF_MAX_OBJECTS / 30)), { outline: true }, "objects", WHOLE_PDF_MAX_OBJECTS),
		},
		{
			limit: "byte",
			unit: "bytes",
			max: WHOLE_PDF_MAX_BYTES,
			part: () => denseParts(noise(Math.round(Math.sqrt(WHOLE_PDF_MAX_BYTES / 30))), { printBackground: true }, "bytes", WHOLE_PDF_MAX_BYTES),
		},
	] as const;

	it.each(limits)(
		"a merge of dense parts just inside the $limit limit succeeds, and its page count matches pdf.js",
		{ timeout: 180_000 },
		async ({ part: densePart }) => {
			const { part, fit, parts } = await densePart();
			const { job, facts } = await renderPdf({ parts: parts(fit) });
			expect(facts.pages).toBe(fit * part.pages);
			expect(job.document?.pages).toBe(facts.pages);
		},
	);

	it.each(limits)(
		"one dense part more fails CONTENT_TOO_LARGE naming that part and the $limit limit, and nothing is stored",
		{ timeout: 180_000 },
		async ({ part: densePart, unit, max }) => {
			const { fit, parts } = await densePart();
			const job = await renderToEnd({ parts: parts(fit + 1) });
			expect(job.status).toBe("failed");
			expect(job.error).toEqual({ code: "CONTENT_TOO_LARGE", message: `parts[${fit}]: the parts add up to more than ${max} ${unit}, the merge limit` });
			expect(await storedDocuments(job.id)).toEqual([]);
		},
	);
});

describe("the finishing limit", () => {
	it("a single PDF past the byte limit fails CONTENT_TOO_LARGE at finishing (stamps need it whole), and nothing is stored", { timeout: 180_000 }, async () => {
		// About 1.2 times the limit of incompressible image: printed alone it streams and succeeds.
		const html = noise(Math.round(Math.sqrt((WHOLE_PDF_MAX_BYTES * 1.2) / 3)));
		const pdf = { printBackground: true };
		const plain = await probe(html, pdf);
		expect(plain.bytes).toBeGreaterThan(WHOLE_PDF_MAX_BYTES);
		const job = await renderToEnd({ html, pdf: { ...pdf, stamps: [{ text: "Page {page}" }] } });
		expect(job.status).toBe("failed");
		expect(job.error).toEqual({ code: "CONTENT_TOO_LARGE", message: `the PDF is larger than ${WHOLE_PDF_MAX_BYTES} bytes, the finishing limit` });
		expect(await storedDocuments(job.id)).toEqual([]);
	});
});

describe("one merge at a time per isolate", () => {
	it("two merge jobs wait for the isolate's whole-PDF turn while it is held, then merge one after the other", { timeout: 120_000 }, async () => {
		const held = { open: () => {} };
		const holding = withWholePdf(Date.now() + 100_000, () => new Promise<void>((resolve) => (held.open = resolve)));
		const before = wholePdfState();
		const ids = await Promise.all(
			["A", "B"].map(async (label) => {
				const res = await postRender({ parts: [{ html: page(`${label} one`) }, { html: page(`${label} two`) }] });
				expect(res.status).toBe(202);
				return ((await res.json()) as { id: string }).id;
			}),
		);
		// Both printed their parts and now wait: neither merges while another whole-PDF step runs.
		await poll(() => wholePdfState().waiting === before.waiting + 2 || undefined, { timeout: 60_000 });
		expect(wholePdfState().running).toBe(1);
		for (const id of ids) expect((await getJob(id)).status).toBe("rendering");
		held.open();
		await holding;
		for (const id of ids) {
			const job = await poll(async () => {
				const j = await getJob(id);
				return j.status === "rendering" ? undefined : j;
			});
			expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
			expect((await readPdf(await (await download(job.document?.url ?? "")).arrayBuffer())).pages).toBe(2);
		}
		expect(wholePdfState()).toMatchObject({ running: 0, waiting: 0, mostRunning: 1 });
	});
});
