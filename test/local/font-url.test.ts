// A tenant's fonts on a URL page served by a real local server. Here private networks are allowed,
// so pages run without request interception unless something needs it: a tenant with fonts does.
import { describe, expect, inject, it } from "vitest";
import { embedsFixture, FONT_FIXTURES, fontTenant, pdfFontNames, putFont, renderAs } from "../support/worker/fonts";
import { readPdf } from "../support/worker/pdf";

const origin = inject("fixtureOrigin");

describe("tenant fonts on URL pages", () => {
	it("a URL page naming the tenant's family prints with it (embedded): its request was answered by the job's interception", async () => {
		const tenant = await fontTenant();
		expect((await putFont(tenant, "Acme Url Mono", FONT_FIXTURES.woff2, { contentType: "font/woff2" })).status).toBe(201);
		const pdf = await renderAs(tenant, { url: `${origin}/font-page?family=Acme%20Url%20Mono` });
		expect(embedsFixture(pdf), pdfFontNames(pdf).join(", ")).toBe(true);
		expect((await readPdf(pdf)).text).toContain("FONT PAGE");
	});

	it("the same URL page rendered for a tenant without the family prints a fallback", async () => {
		const pdf = await renderAs(await fontTenant(), { url: `${origin}/font-page?family=Acme%20Url%20Mono` });
		expect(embedsFixture(pdf), pdfFontNames(pdf).join(", ")).toBe(false);
	});
});
