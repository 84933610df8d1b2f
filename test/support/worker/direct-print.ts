// Worker side: runs inside workerd, imported by the tests.
// One page printed through the render module itself (src/render/print.ts), outside any job, with
// the page observations it hands to PrintInput.observe: what the render report is built from.
import { env } from "cloudflare:workers";
import puppeteer from "@cloudflare/puppeteer";
import type { PageObservations } from "../../../src/render/observations";
import { printPdf, type PrintInput } from "../../../src/render/print";
import type { PageOptions } from "../../../src/schemas/render-request";

export interface DirectPrint {
	/** The PDF, or the error the page phase failed with. */
	result: { bytes: Uint8Array } | { error: unknown };
	/** Every observation delivered (there must be exactly one). */
	observed: PageObservations[];
}

/** Prints `html` (or `url`) with `page` options under the policy of this test project. */
export async function printDirect(source: { html: string } | { url: string }, page: PageOptions, allowPrivateNetwork: boolean): Promise<DirectPrint> {
	const observed: PageObservations[] = [];
	const input: PrintInput = {
		url: "url" in source ? source.url : null,
		html: "html" in source ? source.html : null,
		pdf: {},
		page,
		observe: (o) => observed.push(o),
	};
	const browser = await puppeteer.launch(env.BROWSER);
	try {
		const bytes = await printPdf(browser, input, { allowPrivateNetwork }, async (pdf) => new Uint8Array(await new Response(pdf).arrayBuffer()));
		return { result: { bytes }, observed };
	} catch (error) {
		return { result: { error }, observed };
	} finally {
		await browser.close();
	}
}
