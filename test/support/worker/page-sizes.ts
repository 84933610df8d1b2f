// Worker side: runs inside workerd, imported by the tests.
// Page sizes, unrounded, in PDF points: every page's box as pdf.js reads it (its MediaBox, cropped by
// a CropBox if any), and the PDF the local Chromium prints when it is given a paper size in inches
// directly over CDP (no service, no puppeteer unit conversion, no rewriting of ours): what the
// service's exact page boxes are made from. readPdf (pdf-info.ts) rounds page 1 to whole points, too
// coarse for either.
import type { Browser } from "@cloudflare/puppeteer";
import { getDocumentProxy } from "unpdf";
import { withUnguardedPage } from "./egress";

export interface PageSize {
	width: number;
	height: number;
}

export const POINTS_PER_INCH = 72;

export async function pageSizes(bytes: ArrayBuffer | Uint8Array): Promise<PageSize[]> {
	const pdf = await getDocumentProxy(new Uint8Array(bytes).slice());
	const sizes: PageSize[] = [];
	for (let n = 1; n <= pdf.numPages; n++) {
		const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] = (await pdf.getPage(n)).view;
		sizes.push({ width: x1 - x0, height: y1 - y0 });
	}
	return sizes;
}

/** The PDF Chromium prints of `html` on `paper` (inches, as Page.printToPDF takes it), margins 0. */
export async function printDirectly(browser: Browser, paper: PageSize, landscape: boolean, html = "<p>paper</p>"): Promise<Uint8Array> {
	return withUnguardedPage(browser, async (page) => {
		await page.setContent(html);
		const cdp = await page.createCDPSession();
		const margins = { marginTop: 0, marginBottom: 0, marginLeft: 0, marginRight: 0 };
		const { data } = await cdp.send("Page.printToPDF", { paperWidth: paper.width, paperHeight: paper.height, landscape, ...margins });
		return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
	});
}
