// Worker side: runs inside workerd, imported by the tests.
// Page sizes, unrounded, in PDF points: every page's box as pdf.js reads it (its MediaBox, cropped by
// a CropBox if any), and the page the local Chromium prints when it is given a paper size in inches
// directly over CDP (no service, no puppeteer unit conversion): the reference a named format must
// match. readPdf (pdf-info.ts) rounds page 1 to whole points, too coarse for either.
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

/** The first page Chromium prints for `paper` (inches, as Page.printToPDF takes it), margins 0. */
export async function printedDirectly(browser: Browser, paper: PageSize, landscape: boolean): Promise<PageSize> {
	return withUnguardedPage(browser, async (page) => {
		await page.setContent("<p>paper</p>");
		const cdp = await page.createCDPSession();
		const margins = { marginTop: 0, marginBottom: 0, marginLeft: 0, marginRight: 0 };
		const { data } = await cdp.send("Page.printToPDF", { paperWidth: paper.width, paperHeight: paper.height, landscape, ...margins });
		const [first] = await pageSizes(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
		if (!first) throw new Error("Chromium printed no page");
		return first;
	});
}
