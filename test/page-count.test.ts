// document.pages comes from the PDF's page tree, through the real browser: text a page controls
// (image alt text in the structure tree, outline titles, the document title) spells a page tree
// and Chrome writes it into the PDF as strings, yet the count stays what pdf.js reads.
import { describe, expect, it } from "vitest";
import { renderPdf } from "./support/worker/pdf";
import { textOf } from "./support/worker/pdf-build";

const SPOOF = "<</Type /Pages /Count 777777>>";
const ESCAPED = "&lt;&lt;/Type /Pages /Count 777777&gt;&gt;";
/** A 1×1 PNG: a loaded image, so Chrome tags it as a figure with its alt text. */
const PIXEL = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const FIGURE = `<img alt="${SPOOF}" src="${PIXEL}" width="40" height="40">`;

/** Renders `body`; the PDF holds the spoofed text (or the test would prove nothing) and its count is pdf.js's. */
async function expectPages(body: Record<string, unknown>, pages: number): Promise<void> {
	const { job, bytes, facts } = await renderPdf(body);
	expect(textOf(bytes)).toContain("/Count 777777");
	expect(facts.pages).toBe(pages);
	expect(job.document?.pages).toBe(pages);
}

describe("document.pages from the page tree", () => {
	it("a one-page document whose image alt text spells a page tree has 1 page (tagged PDF, the default)", async () => {
		await expectPages({ html: `${FIGURE}<p>one page</p>` }, 1);
	});

	it("with pdf.outline, a heading that spells a page tree has 1 page", async () => {
		await expectPages({ html: `<h1>${ESCAPED}</h1><p>one page</p>`, pdf: { outline: true } }, 1);
	});

	it("a three-page document with the alt text on every page, its <title> and metadata (the Info update) has 3 pages", async () => {
		const page = `<section style="page-break-after:always">${FIGURE}</section>`;
		await expectPages({ html: `<title>${ESCAPED}</title>${page.repeat(3)}`, pdf: { tagged: true, outline: true, metadata: { author: "Ops" } } }, 3);
	});
});
