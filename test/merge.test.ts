// Merged parts: several sources, each with its own options, printed and merged in order into one PDF.
import { describe, expect, it } from "vitest";
import { extractText, getDocumentProxy } from "unpdf";
import { api, download, getJob, postRender, renderToEnd } from "./support/api";
import { collectPart, MAX_MERGE_BYTES } from "../src/render/merge";
import { readPdfInfo } from "./support/pdf-info";
import { decodePng, dominantColour } from "./support/png";
import { errorOf } from "./support/errors";

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
		const { id } = (await tpl.json()) as { id: string };
		const job = await renderToEnd({
			parts: [
				{ html: page("FIRST cover") },
				{ html: page("SECOND landscape"), pdf: { format: "A5", landscape: true } },
				{ template: { id, data: { who: "from a template" } } },
			],
			pdf: { metadata: { title: "Merged pack", author: "ACME" } },
		});
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		expect(job.source).toEqual({ type: "parts", count: 3 });
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
			details: [{ path: "url", message: "exactly one of url, html, template or parts is required" }],
		});
	});
});

describe("merge size limit", () => {
	const stream = (sizes: number[]) =>
		new ReadableStream<Uint8Array>({
			start(controller) {
				for (const size of sizes) controller.enqueue(new Uint8Array(size).fill(37));
				controller.close();
			},
		});

	it(`a part that takes the parts past ${MAX_MERGE_BYTES} bytes fails CONTENT_TOO_LARGE naming it; one that fits is kept whole`, async () => {
		const kept = await collectPart(stream([1000, 24]), 1024, 0);
		expect(kept.byteLength).toBe(1024);
		const over = collectPart(stream([1000, 25]), 1024, 4);
		await expect(over).rejects.toMatchObject({ code: "CONTENT_TOO_LARGE", transient: false });
		await expect(over).rejects.toThrow(/^parts\[4\]: .*merge limit/);
		// Well inside the Worker's 128 MB with the parts, pdf-lib's graph and the output all held.
		expect(MAX_MERGE_BYTES * 3).toBeLessThan(128 * 1024 * 1024);
	});
});
