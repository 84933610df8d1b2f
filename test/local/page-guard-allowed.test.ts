// With ALLOW_PRIVATE_NETWORK=true (this project) the same local subresources load and print.
import { describe, expect, it } from "vitest";
import { download, renderToEnd } from "../support/api";
import { readPdf } from "../support/pdf";
import { probeHits, probePage } from "../support/probe";

describe("private network allowed", () => {
	it("the same page's local img, iframe, fetch, XHR and stylesheet requests arrive and the iframe prints", async () => {
		const token = crypto.randomUUID();
		const job = await renderToEnd({ html: probePage(token, false), page: { waitUntil: "networkidle0" } });
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		const text = (await readPdf(await (await download(job.document!.url)).arrayBuffer())).text;
		expect(text).toContain("VISIBLE-TEXT");
		expect(text).toContain("PROBE-CONTENT");
		expect((await probeHits(token)).sort()).toEqual(["css", "fetch", "frame", "img", "xhr"]);
	});
});
