// Production policy: every request a page makes to a private address is aborted, and the PDF still renders.
import { describe, expect, it } from "vitest";
import { download, renderToEnd } from "./support/api";
import { readPdf } from "./support/pdf";
import { probeHits, probePage } from "./support/probe";

describe("requests a page makes while rendering", () => {
	it("img, iframe, fetch, XHR and stylesheets to loopback and 169.254.169.254 never leave the browser", async () => {
		const token = crypto.randomUUID();
		const job = await renderToEnd({ html: probePage(token, true), page: { waitUntil: "networkidle0" } });
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		const text = (await readPdf(await (await download(job.document!.url)).arrayBuffer())).text;
		expect(text).toContain("VISIBLE-TEXT");
		expect(text).not.toContain("PROBE-CONTENT");
		expect(await probeHits(token)).toEqual([]);
	});
});
