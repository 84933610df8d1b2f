// The page-box rewrite (src/render/media-box.ts) on real Chromium PDFs: every page box of the
// requested size made exact in place, same length, every xref offset still at its object, whatever
// the chunking; boxes of another size left alone; and, over the whole paper table, the exact size
// always fits the box Chromium prints for it.
import { env } from "cloudflare:workers";
import puppeteer, { type Browser } from "@cloudflare/puppeteer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PdfScanner } from "../src/pdf/scanner";
import { isCount, PdfRef } from "../src/pdf/values";
import { exactMediaBox, type PagePoints } from "../src/render/media-box";
import { PAPER, type PaperFormat } from "../src/render/paper";
import { requestedPage } from "../src/render/print";
import { bytesOf, textOf } from "./support/worker/pdf-build";
import { pageSizes, printDirectly } from "./support/worker/page-sizes";

const BOX = /\/MediaBox \[([^\]]*)\]/g;
const A4 = requestedPage({ format: "A4" });
const FORMATS = Object.keys(PAPER) as PaperFormat[];

/** `pdf` through the rewrite in chunks of `size` bytes (each a copy: the rewrite edits chunks in place). */
async function rewrite(pdf: Uint8Array, page: PagePoints, size = pdf.byteLength): Promise<{ bytes: Uint8Array; unfit: string[] }> {
	const unfit: string[] = [];
	let at = 0;
	const source = new ReadableStream<Uint8Array>({
		pull(controller) {
			if (at >= pdf.byteLength) controller.close();
			else controller.enqueue(pdf.slice(at, at + size));
			at += size;
		},
	});
	const bytes = new Uint8Array(await new Response(exactMediaBox(source, page, (box) => unfit.push(box))).arrayBuffer());
	return { bytes, unfit };
}

const boxesOf = (pdf: Uint8Array) => [...textOf(pdf).matchAll(BOX)].map((m) => m[1] ?? "");

/** Every object the newest xref names, read at the offset it gives (the src/pdf reader resolves each through it). */
function expectXrefIntact(pdf: Uint8Array): void {
	const scanner = new PdfScanner({ keys: ["Type"], keep: () => true });
	scanner.feed(pdf);
	const scan = scanner.end();
	const size = scan.trailer().get("Size");
	expect(isCount(size) && size > 1).toBe(true);
	for (let num = 1; num < Number(size); num++) {
		const object = scan.resolve(new PdfRef(num, 0));
		expect(textOf(pdf.subarray(object.offset, object.offset + 20)).startsWith(`${num} 0 obj`)).toBe(true);
	}
}

function expectExact(sizes: PagePoints[], page: PagePoints, pages: number): void {
	expect(sizes).toHaveLength(pages);
	for (const size of sizes) {
		expect(Math.abs(size.width - page.width), JSON.stringify(size)).toBeLessThan(0.01);
		expect(Math.abs(size.height - page.height), JSON.stringify(size)).toBeLessThan(0.01);
	}
}

/** Chromium 156's length for `pt` asked: whole points rounded up, then the nearest 1/300 in (0.24 pt). */
const chromiumLength = (pt: number) => (Math.round((Math.ceil(pt) * 300) / 72) * 72) / 300;

/** A length as Skia writes it into the PDF: a float to 8 significant digits, trailing zeros dropped. */
function skiaText(value: number): string {
	const text = Math.fround(value).toPrecision(8);
	return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

/** The box Chromium writes for `page` by the model above. */
const modelBox = (page: PagePoints) => `0 0 ${skiaText(chromiumLength(page.width))} ${skiaText(chromiumLength(page.height))}`;

const LONG = `<title>long</title>${Array.from({ length: 120 }, (_, i) => `<p>row ${i}</p>`).join("")}`;

describe("exact page boxes", () => {
	let browser: Browser;
	let a4: Uint8Array;
	beforeAll(async () => {
		browser = await puppeteer.launch(env.BROWSER);
		a4 = await printDirectly(browser, PAPER.A4, false, LONG);
	});
	afterAll(async () => {
		await browser.close();
	});

	it("rewrites every page box of a real Chromium PDF to the exact size, same length, every xref offset still at its object", async () => {
		expect(boxesOf(a4).length).toBeGreaterThan(2);
		expect(new Set(boxesOf(a4))).toEqual(new Set(["0 0 595.91998 841.91998"]));
		const { bytes, unfit } = await rewrite(a4, A4);
		expect(unfit).toEqual([]);
		expect(bytes.byteLength).toBe(a4.byteLength);
		expect(new Set(boxesOf(bytes))).toEqual(new Set(["0 0 595.28 841.89      "]));
		// Nothing but the boxes changed.
		expect(textOf(bytes).replace(BOX, "")).toBe(textOf(a4).replace(BOX, ""));
		expectXrefIntact(a4);
		expectXrefIntact(bytes);
		expectExact(await pageSizes(bytes), A4, boxesOf(a4).length);
	});

	it("rewrites a box cut anywhere by the stream's chunks (1 byte at a time, and odd sizes) as whole", async () => {
		const whole = (await rewrite(a4, A4)).bytes;
		for (const size of [1, 2, 7, 13, 64, 1000]) {
			const { bytes, unfit } = await rewrite(a4, A4, size);
			expect(unfit).toEqual([]);
			expect(textOf(bytes) === textOf(whole), `chunks of ${size} bytes`).toBe(true);
		}
	});

	it("leaves boxes of another size, look-alikes and a box cut by the end as they are", async () => {
		const text = [
			"/MediaBox [0 0 612 792]", // Letter in an A4 print: a CSS @page size that won
			"/MediaBox [0 0 595.91998 841.91998 1]",
			"/MediaBox [0 0 595.91998]",
			"/MediaBox [1 0 595.91998 841.91998]",
			"/MediaBoxes [0 0 595.91998 841.91998]",
			"/MediaBox [0 0 595.91998 841.91998]", // the one to rewrite
			"/MediaBox [0 0 595.91998 841.9", // cut by the end of the file
		].join("\n");
		const expected = text.replace("/MediaBox [0 0 595.91998 841.91998]\n", "/MediaBox [0 0 595.28 841.89      ]\n");
		for (const size of [1, 5, text.length]) {
			const { bytes } = await rewrite(bytesOf(text), A4, size);
			expect(textOf(bytes)).toBe(expected);
		}
	});

	it("keeps a box the exact size does not fit as printed, and says so once", async () => {
		// 148 mm square: Chromium prints 420 × 420, and "419.53 419.53" is longer than "420 420".
		const square = { width: (148 / 25.4) * 72, height: (148 / 25.4) * 72 };
		const text = "/MediaBox [0 0 420 420]\n/MediaBox [0 0 420 420]\n";
		const { bytes, unfit } = await rewrite(bytesOf(text), square);
		expect(textOf(bytes)).toBe(text);
		expect(unfit).toEqual(["420 420"]);
	});

	it("fits the exact size into the box Chromium prints for every named format, portrait and landscape", async () => {
		// Chromium's box depends only on the paper asked (not margins, scale or content), so the box of
		// each format is the worst case for it: the exact text must fit, whatever slack is left.
		for (const format of FORMATS) {
			for (const landscape of [false, true]) {
				const page = requestedPage({ format, landscape });
				const printed = modelBox(page);
				const { bytes, unfit } = await rewrite(bytesOf(`/MediaBox [${printed}]`), page);
				expect(unfit, `${format}${landscape ? " landscape" : ""}: ${printed}`).toEqual([]);
				const [, , width, height] = (boxesOf(bytes)[0] ?? "").trim().split(/ +/).map(Number);
				expect(Math.abs((width ?? 0) - page.width), printed).toBeLessThan(0.006);
				expect(Math.abs((height ?? 0) - page.height), printed).toBeLessThan(0.006);
			}
		}
	});

	it("Chromium prints every named format, portrait and landscape, in the box the worst case above assumes", async () => {
		for (const format of FORMATS) {
			for (const landscape of [false, true]) {
				const printed = boxesOf(await printDirectly(browser, PAPER[format], landscape));
				expect(printed, `${format}${landscape ? " landscape" : ""}`).toEqual([modelBox(requestedPage({ format, landscape }))]);
			}
		}
	});
});
