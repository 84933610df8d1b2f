// A thumbnail of the document's first page, captured from the live page just before it prints: the
// page is laid out in print media at the printable width of the requested paper (paper minus the
// request's margins, in CSS px at 96 per inch), and the top paper-high region is captured, scaled to
// the requested width. Chrome lays the page out the same way when it prints page 1.
import type { Page } from "@cloudflare/puppeteer";
import type { PreviewOptions } from "../schemas/outputs";
import type { PageOptions, PdfOptions } from "../schemas/render-request";
import { inches } from "./paper";
import { pdfOptions } from "./print";

/** A CSS length as the printer takes it (a bare number is px) in CSS px, exactly as it prints. */
function cssPx(length: string | number | undefined): number {
	return length === undefined ? 0 : inches(length) * 96;
}

/** The printable area of page 1 in CSS px: the paper the print gets (paper.ts), less its margins. */
export function printableArea(requested: PdfOptions): { width: number; height: number } {
	const options = pdfOptions(requested);
	let width = cssPx(options.width);
	let height = cssPx(options.height);
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
