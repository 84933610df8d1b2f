// A thumbnail of the document's first page, captured from the live page just before it prints: the
// page is laid out in print media at the printable width of the requested paper (paper minus the
// request's margins, in CSS px at 96 per inch), and the top paper-high region is captured, scaled to
// the requested width. Chrome lays the page out the same way when it prints page 1.
import type { Page } from "@cloudflare/puppeteer";
import type { PreviewOptions } from "../schemas/outputs";
import type { PageOptions, PdfOptions } from "../schemas/render-request";
import { pdfOptions } from "./print";

/** Paper sizes in inches, as Chrome's printer (and puppeteer) take them. */
const PAPER: Record<NonNullable<PdfOptions["format"]>, [number, number]> = {
	Letter: [8.5, 11],
	Legal: [8.5, 14],
	Tabloid: [11, 17],
	Ledger: [17, 11],
	A0: [33.1102, 46.811],
	A1: [23.3858, 33.1102],
	A2: [16.5354, 23.3858],
	A3: [11.6929, 16.5354],
	A4: [8.2677, 11.6929],
	A5: [5.8268, 8.2677],
	A6: [4.1339, 5.8268],
};

const PX_PER: Record<string, number> = { px: 1, in: 96, cm: 96 / 2.54, mm: 96 / 25.4 };

/** A CSS length as the printer takes it (a bare number is px) in CSS px. */
export function cssPx(length: string | number | undefined): number {
	if (length === undefined) return 0;
	if (typeof length === "number") return length;
	const [, value = "0", unit = "px"] = length.match(/^(\d+(?:\.\d+)?)(px|in|cm|mm)?$/) ?? [];
	return Number(value) * (PX_PER[unit] ?? 1);
}

/** The printable area of page 1 in CSS px. */
export function printableArea(requested: PdfOptions): { width: number; height: number } {
	const options = pdfOptions(requested);
	const [inW, inH] = PAPER[options.format ?? "A4"];
	let width = options.width !== undefined ? cssPx(options.width) : inW * 96;
	let height = options.height !== undefined ? cssPx(options.height) : inH * 96;
	if (options.landscape) [width, height] = [height, width];
	const m = options.margin ?? {};
	return { width: Math.max(1, Math.round(width - cssPx(m.left) - cssPx(m.right))), height: Math.max(1, Math.round(height - cssPx(m.top) - cssPx(m.bottom))) };
}

/** Captures the first-page thumbnail, then puts the page's viewport and media back for the print. */
export async function capturePreview(page: Page, pdf: PdfOptions, pageOptions: PageOptions, preview: PreviewOptions): Promise<Uint8Array> {
	const area = printableArea(pdf);
	const viewport = page.viewport();
	await page.emulateMediaType("print");
	await page.setViewport({ width: area.width, height: area.height, deviceScaleFactor: 1 });
	try {
		const image = await page.screenshot({
			type: preview.format,
			quality: preview.format === "png" ? undefined : (preview.quality ?? 80),
			clip: { x: 0, y: 0, width: area.width, height: area.height, scale: preview.width / area.width },
		});
		return new Uint8Array(image);
	} finally {
		if (viewport) await page.setViewport(viewport);
		await page.emulateMediaType(pageOptions.emulateMediaType ?? "print");
	}
}
