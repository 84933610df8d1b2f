// A tenant's fonts in its renders (real Chromium, production address policy): used by name in the
// body and in header/footer templates, they are embedded in the PDF; the bytes come from storage
// through the job's own interception (the reserved host resolves nowhere, so a face that arrived
// came from there); another tenant's pages see none of them. The fixture face is DejaVu Sans Mono,
// uploaded under names no system font has, so finding its subset in a PDF means the upload was used.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { FONT_ORIGIN } from "../src/render/tenant-fonts";
import { tenantStub } from "../src/tenants/tenant-object";
import { embedsFixture, FONT_FIXTURES, type FontTenant, fontTenant, pdfFontNames, putFont, renderAs } from "./support/worker/fonts";
import { readPdf } from "./support/worker/pdf";

const { ttf, woff, woff2 } = FONT_FIXTURES;

async function tenantWith(family: string, bytes: Uint8Array = ttf, contentType = "font/ttf"): Promise<FontTenant> {
	const tenant = await fontTenant();
	const res = await putFont(tenant, family, bytes, { contentType });
	expect(res.status, await res.clone().text()).toBe(201);
	return tenant;
}

const paragraph = (family: string, text: string) => `<!doctype html><p style="font-family: '${family}', serif; font-size: 24px">${text}</p>`;
const footer = (family: string) =>
	`<div style="font-family: '${family}'; font-size: 10px; width: 100%; text-align: center">FOOTER <span class="pageNumber"></span></div>`;
const withFooter = (template: string) => ({
	format: "A4",
	displayHeaderFooter: true,
	headerTemplate: "<span></span>",
	footerTemplate: template,
	margin: { top: "20mm", bottom: "20mm" },
});

describe("a tenant's fonts in its renders", () => {
	it.each([
		["TrueType", ttf, "font/ttf"],
		["WOFF", woff, "font/woff"],
		["WOFF2", woff2, "font/woff2"],
	] as const)("a %s face used by name in the body is embedded in the PDF", async (_name, bytes, contentType) => {
		const tenant = await tenantWith("Acme Mono", bytes, contentType);
		const pdf = await renderAs(tenant, { html: paragraph("Acme Mono", "BODY TEXT") });
		expect(embedsFixture(pdf), pdfFontNames(pdf).join(", ")).toBe(true);
	});

	it("named in the footer template only (not in the body), the face is embedded: the footer draws with it", async () => {
		const tenant = await tenantWith("Acme Mono");
		const pdf = await renderAs(tenant, { html: "<!doctype html><p>Body in the default font</p>", pdf: withFooter(footer("Acme Mono")) });
		expect(embedsFixture(pdf), pdfFontNames(pdf).join(", ")).toBe(true);
		expect((await readPdf(pdf)).text).toContain("FOOTER 1");
	});

	it("used in the body and the footer over several pages, with the family in another case: embedded once, the text intact", async () => {
		const tenant = await tenantWith("Acme Mono");
		const pages = Array.from({ length: 3 }, (_, i) => `<p style="font-family: 'ACME MONO'; break-after: page">PAGE ${i + 1}</p>`).join("");
		const pdf = await renderAs(tenant, { html: `<!doctype html>${pages}`, pdf: withFooter(footer("acme mono")) });
		const names = pdfFontNames(pdf);
		expect(
			names.filter((name) => name.endsWith("+DejaVuSansMono")),
			names.join(", "),
		).toHaveLength(1);
		const { text, pages: count } = await readPdf(pdf);
		expect(count).toBe(3);
		for (const n of [1, 2, 3]) expect(text).toContain(`PAGE ${n}`);
		expect(text).toContain("FOOTER 3");
	});

	it("another tenant's render naming the same family gets a fallback: nothing of the first tenant's is embedded", async () => {
		await tenantWith("Acme Mono");
		const other = await fontTenant();
		const pdf = await renderAs(other, { html: paragraph("Acme Mono", "OTHER TENANT"), pdf: withFooter(footer("Acme Mono")) });
		expect(pdfFontNames(pdf).length).toBeGreaterThan(0);
		expect(embedsFixture(pdf), pdfFontNames(pdf).join(", ")).toBe(false);
	});

	it("a page that asks the reserved font origin for another tenant's face by its id gets nothing", async () => {
		const owner = await tenantWith("Acme Mono");
		const [face] = await tenantStub(env, owner.id).listFonts();
		const url = `${FONT_ORIGIN}/${face?.id}`;
		// The thief has a font of its own, so its pages have the interception that answers the origin.
		const thief = await tenantWith("Thief Sans", woff2, "font/woff2");
		const html = `<!doctype html><style>@font-face { font-family: "Stolen"; src: url("${url}"); }</style><p style="font-family: Stolen">STOLEN</p>`;
		const pdf = await renderAs(thief, { html });
		expect(embedsFixture(pdf), pdfFontNames(pdf).join(", ")).toBe(false);
		const ownerPdf = await renderAs(owner, { html });
		expect(embedsFixture(ownerPdf), "the same page as the owner: the URL itself works").toBe(true);
	});

	it("only the faces a document uses are loaded: the page's fonts list shows the unused family unloaded", async () => {
		const tenant = await tenantWith("Acme Mono");
		expect((await putFont(tenant, "Unused Family", woff2, { contentType: "font/woff2" })).status).toBe(201);
		const html = `<!doctype html><p style="font-family: 'Acme Mono'">USED</p><p id="out"></p>
			<script>document.fonts.ready.then(() => { document.getElementById("out").textContent = [...document.fonts].map((f) => f.family.replaceAll('"', "") + "=" + f.status).sort().join(" "); });</script>`;
		const { text } = await readPdf(await renderAs(tenant, { html, page: { waitForSelector: "#out:not(:empty)" } }));
		expect(text).toContain("Acme Mono=loaded Unused Family=unloaded");
	});

	it("a face deleted since is no longer given to the tenant's pages", async () => {
		const tenant = await tenantWith("Acme Mono");
		expect((await tenant.call("/v1/fonts/Acme%20Mono", { method: "DELETE" })).status).toBe(204);
		const pdf = await renderAs(tenant, { html: paragraph("Acme Mono", "DELETED") });
		expect(embedsFixture(pdf)).toBe(false);
	});
});
