// Named paper formats print at their exact ISO 216 (mm) and US (inch) sizes: every page, read with
// pdf.js, is the standard size to 0.01 pt (pdfinfo shows two decimals). Neither puppeteer nor Chromium prints
// that by itself: puppeteer's paper table is rounded (its A4 is 8.27 × 11.7 in, 842.88 pt high), and
// Chromium 156 takes the paper in whole points and lays the page out on a 1/300-inch grid (A4 given
// exactly comes out 595.92 × 841.92), so the service writes the exact box into Chromium's PDF as it
// streams (src/render/media-box.ts; test/media-box.test.ts checks the bytes and the xref).
import { describe, expect, it } from "vitest";
import { download, renderToEnd } from "./support/worker/api";
import { renderPdf } from "./support/worker/pdf";
import { type PageSize, pageSizes, POINTS_PER_INCH } from "./support/worker/page-sizes";

const MM_PER_INCH = 25.4;

/** Each format's size as its standard defines it, in inches, as the format is named (portrait but Ledger). */
const STANDARD: Record<string, PageSize> = {
	Letter: { width: 8.5, height: 11 },
	Legal: { width: 8.5, height: 14 },
	Tabloid: { width: 11, height: 17 },
	Ledger: { width: 17, height: 11 },
	A0: mm(841, 1189),
	A1: mm(594, 841),
	A2: mm(420, 594),
	A3: mm(297, 420),
	A4: mm(210, 297),
	A5: mm(148, 210),
	A6: mm(105, 148),
};

function mm(width: number, height: number): PageSize {
	return { width: width / MM_PER_INCH, height: height / MM_PER_INCH };
}

const points = (paper: PageSize, landscape: boolean): PageSize => {
	const [width, height] = landscape ? [paper.height, paper.width] : [paper.width, paper.height];
	return { width: width * POINTS_PER_INCH, height: height * POINTS_PER_INCH };
};

/** The PDF opens, has `pages` pages, and each is the standard size to 0.01 pt. */
async function expectExactPages(pdf: ArrayBuffer | Uint8Array, pages: number, paper: PageSize, landscape: boolean, label: string): Promise<void> {
	const sizes = await pageSizes(pdf);
	expect(sizes, label).toHaveLength(pages);
	for (const size of sizes) expectExact(size, paper, landscape, label);
}

function expectExact(actual: PageSize | undefined, paper: PageSize, landscape: boolean, label: string): void {
	const expected = points(paper, landscape);
	const off = Math.max(Math.abs((actual?.width ?? 0) - expected.width), Math.abs((actual?.height ?? 0) - expected.height));
	expect(off, `${label}: ${JSON.stringify(actual)} against ${JSON.stringify(expected)}`).toBeLessThanOrEqual(0.01);
}

const CASES = Object.entries(STANDARD).flatMap(([format, paper]) => [false, true].map((landscape) => ({ format, paper, landscape })));
const key = (format: string, landscape: boolean) => `${format}${landscape ? " landscape" : ""}`;
/** Two pages; no <title>, so the PDF gets its Info in an update appended after Chromium's bytes. */
const twoPages = (text: string) => `<p style="break-after: page">${text}</p><p>${text}, page 2</p>`;

describe("exact paper sizes", () => {
	for (const { format, paper, landscape } of CASES) {
		const name = key(format, landscape);
		it(`${name} prints at the exact ${format} size, every page`, async () => {
			const { bytes } = await renderPdf({ html: twoPages(format), pdf: { format, landscape } });
			await expectExactPages(bytes, 2, paper, landscape, name);
		});
	}

	it("merged parts print each part at its format's exact size", async () => {
		const parts = Object.keys(STANDARD).map((format, i) => ({ html: `<p>${format}</p>`, pdf: { format, landscape: i % 2 === 1 } }));
		const job = await renderToEnd({ parts });
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		const sizes = await pageSizes(await (await download(job.document?.url ?? null)).arrayBuffer());
		expect(sizes).toHaveLength(parts.length);
		for (const [i, { pdf }] of parts.entries()) expectExact(sizes[i], STANDARD[pdf.format] ?? mm(0, 0), pdf.landscape, `parts[${i}]`);
	});

	it("a custom width and height in millimetres print at exactly that size", async () => {
		// A <title>: Chromium's PDF goes to storage as printed but for its boxes (no Info update).
		const { bytes } = await renderPdf({ html: `<title>custom</title>${twoPages("custom")}`, pdf: { width: "841mm", height: "1189mm" } });
		await expectExactPages(bytes, 2, mm(841, 1189), false, "841 × 1189 mm");
	});
});
