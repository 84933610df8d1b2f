// The PDF's own metadata, read back with pdf.js: set fields, the title's fallbacks, and a long
// document that keeps streaming (the Info update is appended after Chrome's bytes).
import { describe, expect, it } from "vitest";
import long from "./fixtures/long.html?raw";
import { download, postRender, renderToEnd } from "./support/worker/api";
import { readPdf } from "./support/worker/pdf";
import { pdfinfo } from "./support/worker/pdf-tools";
import { infoUpdate, withInfo } from "../src/render/pdf-metadata";
import { type PdfInfo, readPdfInfo } from "./support/common/pdf-info";

/** pdf.js repairs broken xrefs silently, so the update's byte offsets are checked here, exactly. */
function expectWellFormedUpdate(bytes: Uint8Array): void {
	const text = new TextDecoder("latin1").decode(bytes);
	const at = (offset: number, length: number) => text.slice(offset, offset + length);
	const startxref = Number(text.match(/startxref\s+(\d+)\s+%%EOF\s*$/)?.[1]);
	expect(at(startxref, 4)).toBe("xref");
	const section = text.slice(startxref).match(/^xref\n(\d+) 1\n(\d{10}) 00000 n\r\ntrailer\n<<([\s\S]*?)>>/);
	expect(section).not.toBeNull();
	const [, number, offset, trailer = ""] = section ?? [];
	expect(at(Number(offset), `${number} 0 obj`.length)).toBe(`${number} 0 obj`);
	expect(trailer).toContain(`/Info ${number} 0 R`);
	const prev = Number(trailer.match(/\/Prev (\d+)/)?.[1]);
	expect(at(prev, 4)).toBe("xref");
	expect(prev).toBeLessThan(startxref);
}

async function syncPdf(body: Record<string, unknown>): Promise<Uint8Array> {
	const res = await postRender({ async: false, ...body });
	expect(
		res.status,
		await res
			.clone()
			.text()
			.then((t) => t.slice(0, 300)),
	).toBe(200);
	return new Uint8Array(await res.arrayBuffer());
}

describe("PDF metadata", () => {
	it("title, author, subject, keywords, creator and language are what the request set", async () => {
		const metadata = {
			title: "Rechnung Nr. 42 – Müller €",
			author: "ACME GmbH",
			subject: "Invoice 42",
			keywords: ["invoice", "2026"],
			creator: "billing-app",
			language: "de-CH",
		};
		const bytes = await syncPdf({ html: "<!doctype html><title>ignored</title><p>Hallo</p>", pdf: { metadata } });
		expectWellFormedUpdate(bytes);
		const info = await readPdfInfo(bytes);
		expect(info).toMatchObject({
			Title: metadata.title,
			Author: "ACME GmbH",
			Subject: "Invoice 42",
			Keywords: "invoice, 2026",
			Creator: "billing-app",
			Language: "de-CH",
		});
		expect((await readPdf(bytes)).text).toContain("Hallo");
	});

	it("a titled document without metadata names edge-pdf as its Creator, never the browser (poppler's pdfinfo reads it)", async () => {
		const bytes = await syncPdf({ html: "<!doctype html><title>Quarterly report</title><p>x</p>" });
		expectWellFormedUpdate(bytes);
		const info = await pdfinfo(bytes);
		expect(info).toMatchObject({ Title: "Quarterly report", Creator: "edge-pdf" });
		expect(info.Producer).toMatch(/^Skia\/PDF/);
	});

	it("without a title the document's <title> is used, and untitled HTML takes the filename, never about:blank", async () => {
		expect((await readPdfInfo(await syncPdf({ html: "<!doctype html><title>Quarterly report</title><p>x</p>" }))).Title).toBe("Quarterly report");
		const untitled = await readPdfInfo(await syncPdf({ html: "<!doctype html><p>no title here</p>", filename: "statement-march.pdf" }));
		expect(untitled.Title).toBe("statement-march");
		const unnamed = await postRender({ html: "<p>neither</p>", async: false });
		const info = await readPdfInfo(await unnamed.arrayBuffer());
		expect(info.Title).toBe(unnamed.headers.get("render-id"));
	});

	it("Chrome's Producer and CreationDate carry over even when the page's <title> spells the end of the Info dictionary", async () => {
		const bytes = await syncPdf({
			html: "<title>x) >> endobj /Producer (Evil) /CreationDate (D:19990101)</title><p>x</p>",
			pdf: { metadata: { author: "Ops" } },
		});
		expectWellFormedUpdate(bytes);
		const info = (await readPdfInfo(bytes)) as PdfInfo & { CreationDate?: string };
		expect(info.Producer).toMatch(/^Skia\/PDF/);
		expect(info.CreationDate).not.toContain("1999");
		expect(info.Title).toBe("x) >> endobj /Producer (Evil) /CreationDate (D:19990101)");
	});

	it("a 102-page document with metadata still streams to storage with its pages, hash and Info intact", async () => {
		const job = await renderToEnd({ html: long, pdf: { format: "A4", printBackground: true, metadata: { author: "Ops", keywords: ["annual"] } } });
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		expect(job.document?.pages).toBe(102);
		const bytes = new Uint8Array(await (await download(job.document?.url ?? "")).arrayBuffer());
		expect(bytes.byteLength).toBe(job.document?.sizeBytes);
		const sha = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
		expect(sha).toBe(job.document?.sha256);
		// An incremental update: Chrome's xref stays, ours follows it and points back with /Prev.
		expectWellFormedUpdate(bytes);
		const info = await readPdfInfo(bytes);
		expect(info).toMatchObject({ Title: "Annual operations report (synthetic, ~100 pages)", Author: "Ops", Keywords: "annual" });
		expect((await readPdf(bytes)).pages).toBe(102);
	});
});

describe("the Info update itself", () => {
	const collect = async (stream: ReadableStream<Uint8Array>) => new Uint8Array(await new Response(stream).arrayBuffer());
	const streamOf = (text: string) => new Blob([text]).stream();

	it("a PDF without a classic trailer passes through byte for byte, and the skip is reported", async () => {
		let skipped = 0;
		const input = "%PDF-1.7\n1 0 obj\n<</Type /XRef>>\nstream\n...\nendstream\nendobj\nstartxref\n9\n%%EOF\n";
		const out = await collect(withInfo(streamOf(input), { title: "t" }, () => skipped++));
		expect(new TextDecoder().decode(out)).toBe(input);
		expect(skipped).toBe(1);
	});

	it("keeps the trailer's /ID and writes any character as UTF-16BE", () => {
		const tail = "xref\n0 1\n0000000000 65535 f \ntrailer\n<</Size 5\n/Root 2 0 R\n/Info 1 0 R\n/ID [<AB> <CD>]>>\nstartxref\n100\n%%EOF\n";
		const update = infoUpdate("", tail, 200, { title: "Ü€😀" }, new Date("2026-01-02T03:04:05Z")) ?? "";
		expect(update).toContain("/ID [<AB> <CD>]");
		expect(update).toContain("/Title <FEFF00DC20ACD83DDE00>");
		expect(update).toContain("/Prev 100");
		expect(update).toContain("/ModDate (D:20260102030405Z)");
	});
});
