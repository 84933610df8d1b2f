// Named paper formats print at their exact ISO 216 (mm) and US (inch) sizes: each page, read with
// pdf.js, is the page the same Chromium prints when given that exact size directly. puppeteer's own
// table is rounded (its A4 is 8.27 × 11.7 in: 842.88 pt high where Chromium's A4 is 841.92).
// Chromium 156 itself puts a page on a grid (it takes the paper in whole points, then lays it out in
// 1/300 in): A4 given exactly prints 595.92 × 841.92, never 595.28 × 841.89, so the standard size is
// held to within that grid (≤ 1.2 pt) and the direct print to 0.1 pt.
import { env } from "cloudflare:workers";
import puppeteer, { type Browser } from "@cloudflare/puppeteer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { download, renderToEnd } from "./support/worker/api";
import { renderPdf } from "./support/worker/pdf";
import { type PageSize, pageSizes, POINTS_PER_INCH, printedDirectly } from "./support/worker/page-sizes";

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

/** Every dimension of `actual` within `tolerance` points of `expected`. */
function expectWithin(actual: PageSize | undefined, expected: PageSize, tolerance: number, label: string): void {
	const off = Math.max(Math.abs((actual?.width ?? 0) - expected.width), Math.abs((actual?.height ?? 0) - expected.height));
	expect(off, `${label}: ${JSON.stringify(actual)} against ${JSON.stringify(expected)}`).toBeLessThanOrEqual(tolerance);
}

/** As the same Chromium prints the exact size (to 0.1 pt), and within its grid of the standard. */
function expectExact(actual: PageSize | undefined, direct: PageSize, paper: PageSize, landscape: boolean, label: string): void {
	expectWithin(actual, direct, 0.1, `${label}, against Chromium given the exact size`);
	expectWithin(actual, points(paper, landscape), 1.2, `${label}, against the standard`);
}

const CASES = Object.entries(STANDARD).flatMap(([format, paper]) => [false, true].map((landscape) => ({ format, paper, landscape })));
const key = (format: string, landscape: boolean) => `${format}${landscape ? " landscape" : ""}`;

describe("exact paper sizes", () => {
	let browser: Browser;
	/** What Chromium prints for each case given its exact size directly. */
	const direct = new Map<string, PageSize>();
	beforeAll(async () => {
		browser = await puppeteer.launch(env.BROWSER);
		for (const { format, paper, landscape } of CASES) direct.set(key(format, landscape), await printedDirectly(browser, paper, landscape));
		direct.set("841 × 1189 mm", await printedDirectly(browser, mm(841, 1189), false));
	});
	afterAll(async () => {
		await browser.close();
	});

	for (const { format, paper, landscape } of CASES) {
		const name = key(format, landscape);
		it(`${name} prints as Chromium prints the exact ${format} size`, async () => {
			const { bytes } = await renderPdf({ html: `<p>${format}</p>`, pdf: { format, landscape } });
			expectExact((await pageSizes(bytes))[0], direct.get(name) ?? points(paper, landscape), paper, landscape, name);
		});
	}

	it("merged parts print each part at its format's exact size", async () => {
		const parts = Object.keys(STANDARD).map((format, i) => ({ html: `<p>${format}</p>`, pdf: { format, landscape: i % 2 === 1 } }));
		const job = await renderToEnd({ parts });
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		const sizes = await pageSizes(await (await download(job.document?.url ?? null)).arrayBuffer());
		expect(sizes).toHaveLength(parts.length);
		for (const [i, { pdf }] of parts.entries()) {
			const paper = STANDARD[pdf.format] ?? mm(0, 0);
			expectExact(sizes[i], direct.get(key(pdf.format, pdf.landscape)) ?? points(paper, pdf.landscape), paper, pdf.landscape, `parts[${i}]`);
		}
	});

	it("a custom width and height in millimetres print at exactly that size", async () => {
		const { bytes } = await renderPdf({ html: "<p>custom</p>", pdf: { width: "841mm", height: "1189mm" } });
		const paper = mm(841, 1189);
		expectExact((await pageSizes(bytes))[0], direct.get("841 × 1189 mm") ?? points(paper, false), paper, false, "841 × 1189 mm");
	});
});
