import { describe, expect, it } from "vitest";
import { download, postRender, renderToEnd } from "./support/api";
import { readPdf } from "./support/pdf";

describe("smoke", () => {
	it("renders html", async () => {
		const job = await renderToEnd({ html: "<h1>Hello PDF world</h1>" });
		expect(job.status, JSON.stringify(job)).toBe("succeeded");
		const res = await download(job.document!.url);
		expect(res.status).toBe(200);
		const facts = await readPdf(await res.arrayBuffer());
		expect(facts.text).toContain("Hello PDF world");
	});
});
