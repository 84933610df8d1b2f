// With ALLOW_PRIVATE_NETWORK=true (this project) the same local subresources load and print.
import { describe, expect, it } from "vitest";
import { renderPdf } from "../support/worker/pdf";
import { probeHits, probePage } from "../support/worker/probe";

describe("private network allowed", () => {
	it("the same page's local img, iframe, fetch, XHR and stylesheet requests arrive and the iframe prints", async () => {
		const token = crypto.randomUUID();
		const text = (await renderPdf({ html: probePage(token, false), page: { waitUntil: "networkidle0" } })).facts.text;
		expect(text).toContain("VISIBLE-TEXT");
		expect(text).toContain("PROBE-CONTENT");
		expect((await probeHits(token)).sort()).toEqual(["css", "fetch", "frame", "img", "xhr"]);
	});
});
