// Stamps and watermarks (pdf.stamps): drawn on the finished document after merging, read back with
// poppler and qpdf (tools no one here wrote): page numbers across parts, a page range, the layer
// under or over the content, an image in its corner, a tenant font embedded as a subset, stamps
// kept out of the structure tree; and the requests refused before anything is stored.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { apply, placeBox, points, selectedPages, stampMatrix } from "../src/finish/stamp-layout";
import { stampImageKey } from "../src/storage/outputs";
import { api, postRender } from "./support/worker/api";
import { errorOf } from "./support/worker/errors";
import { readRecord } from "./support/worker/jobs";
import { FONT_FIXTURES, FIXTURE_POSTSCRIPT_NAME, fontTenant, putFont, renderAs } from "./support/worker/fonts";
import { renderPdf } from "./support/worker/pdf";
import { pageTexts, pdftotext, qpdfJson, rasterise, runTool } from "./support/worker/pdf-tools";
import { dataUri, type Pixels, solidPng } from "./support/worker/png";

/** HTML of `pages` pages, each starting with its label. */
const pagesHtml = (labels: string[]) =>
	`<!doctype html><html lang="en"><title>t</title>${labels.map((label, i) => `<p style="${i ? "break-before:page;" : ""}font-size:20pt">${label}</p>`).join("")}`;

/** Pixels of `image` within a region given as fractions of its width and height, matching `test`. */
function countPixels(image: Pixels, region: { x0: number; x1: number; y0: number; y1: number }, test: (rgb: [number, number, number]) => boolean): number {
	let count = 0;
	for (let y = Math.floor(region.y0 * image.height); y < Math.floor(region.y1 * image.height); y++) {
		for (let x = Math.floor(region.x0 * image.width); x < Math.floor(region.x1 * image.width); x++) {
			const i = (y * image.width + x) * 4;
			if (test([image.rgba[i] ?? 0, image.rgba[i + 1] ?? 0, image.rgba[i + 2] ?? 0])) count++;
		}
	}
	return count;
}

const isRed = ([r, g, b]: [number, number, number]) => r > 200 && g < 90 && b < 90;
const isGreen = ([r, g, b]: [number, number, number]) => r < 90 && g > 100 && b < 90;
const isBlue = ([r, g, b]: [number, number, number]) => r < 90 && g < 90 && b > 200;

/** The objects of qpdf's JSON view, as their values. */
async function objectValues(pdf: Uint8Array): Promise<Array<Record<string, unknown>>> {
	const objects = Object.values((await qpdfJson(pdf)).qpdf[1]);
	return objects.flatMap((o) => {
		const value = o.value ?? o.stream?.dict;
		return value && typeof value === "object" && !Array.isArray(value) ? [value as Record<string, unknown>] : [];
	});
}

/** Structure elements: the dictionaries with a structure type (/S) and a parent (/P). */
async function structElements(pdf: Uint8Array): Promise<number> {
	return (await objectValues(pdf)).filter((v) => "/S" in v && "/P" in v).length;
}

describe("stamps: page numbers, pages, layers, images", () => {
	it("three merged parts of two pages each, stamped 'Page {page} of {pages}': poppler reads 'Page k of 6' on every page k", async () => {
		const parts = ["A", "B", "C"].map((p) => ({ html: pagesHtml([`${p}1 body`, `${p}2 body`]) }));
		const { bytes } = await renderPdf({ parts, pdf: { stamps: [{ text: "Page {page} of {pages}", fontSize: 9, color: "#555555" }] } });
		const texts = await pageTexts(bytes);
		expect(texts).toHaveLength(6);
		for (const [i, text] of texts.entries()) expect(text).toContain(`Page ${i + 1} of 6`);
		// Numbering runs on across parts: no page restarts at 1 of 2.
		expect(texts.join("\n")).not.toContain("of 2");
	});

	it("a stamp with pages '2-' is on pages 2 and 3 only, and its opacity is written as an ExtGState (/ca)", async () => {
		const { bytes } = await renderPdf({ html: pagesHtml(["one", "two", "three"]), pdf: { stamps: [{ text: "REVIEW COPY", pages: "2-", opacity: 0.4 }] } });
		const texts = await pageTexts(bytes);
		expect(texts.map((t) => t.includes("REVIEW COPY"))).toEqual([false, true, true]);
		const states = (await objectValues(bytes)).filter((v) => v["/Type"] === "/ExtGState" && v["/ca"] === 0.4);
		expect(states).toHaveLength(1);
		// Page numbers past the end are ignored.
		const past = await renderPdf({ html: pagesHtml(["one"]), pdf: { stamps: [{ text: "LATE", pages: "1, 5-9" }] } });
		expect(await pdftotext(past.bytes)).toContain("LATE");
	});

	it("a large watermark under an opaque block is hidden there (and shows beside it), and over it is visible", async () => {
		// A green block over the left half of the middle of an A4 page (210 × 297 mm), no page margins.
		const html = `<!doctype html><style>@page{margin:0}body{margin:0}</style><div style="position:absolute;top:100mm;left:0;width:105mm;height:97mm;background:#00a000"></div>`;
		const watermark = { text: "MMMMM", font: "Helvetica-Bold", fontSize: 120, color: "#ff0000", position: "center" };
		const block = { x0: 0.02, x1: 0.48, y0: 0.36, y1: 0.64 };
		const beside = { ...block, x0: 0.52, x1: 0.98 };
		const under = await renderPdf({ html, pdf: { stamps: [{ ...watermark, layer: "under" }] } });
		const hidden = await rasterise(under.bytes, 1);
		expect(countPixels(hidden, block, isRed)).toBe(0);
		expect(countPixels(hidden, block, isGreen)).toBeGreaterThan(0.9 * (0.46 * hidden.width) * (0.28 * hidden.height));
		expect(countPixels(hidden, beside, isRed)).toBeGreaterThan(300);
		const over = await renderPdf({ html, pdf: { stamps: [{ ...watermark, layer: "over" }] } });
		expect(countPixels(await rasterise(over.bytes, 1), block, isRed)).toBeGreaterThan(300);
	});

	it("an image stamp at top-right lands in the top-right corner, and its stashed image is gone once the job ends", async () => {
		const png = await solidPng(8, 8, [0, 0, 255]);
		const { job, bytes } = await renderPdf({
			html: pagesHtml(["image stamp"]),
			pdf: { stamps: [{ image: dataUri("image/png", png), position: "top-right", width: "25mm", margin: "5mm" }] },
		});
		const page = await rasterise(bytes, 1);
		const corner = (x0: number, y0: number) => countPixels(page, { x0, x1: x0 + 0.2, y0, y1: y0 + 0.15 }, isBlue);
		// 25 mm square at 36 dpi: about 35 × 35 px.
		expect(corner(0.8, 0)).toBeGreaterThan(900);
		expect([corner(0, 0), corner(0, 0.85), corner(0.8, 0.85)]).toEqual([0, 0, 0]);
		expect((await env.DOCUMENTS.list({ prefix: `sources/acme/${job.id}` })).objects).toEqual([]);
	});
});

describe("stamps: fonts and structure", () => {
	it("a tenant font stamp writes its text, and pdffonts shows the face embedded as a subset", async () => {
		const tenant = await fontTenant();
		expect((await putFont(tenant, "Stamp Mono", FONT_FIXTURES.ttf)).status).toBe(201);
		// A page with no text of its own: the only font in the PDF is the stamp's.
		const pdf = await renderAs(tenant, { html: "<!doctype html><div></div>", pdf: { stamps: [{ text: "Ωmega ŋ stamp", font: "stamp mono", fontSize: 14 }] } });
		expect(await pdftotext(pdf)).toContain("Ωmega ŋ stamp");
		const fonts = new TextDecoder().decode((await runTool("pdffonts", ["{pdf}"], pdf)).stdout);
		const line = fonts.split("\n").find((l) => l.includes(`+${FIXTURE_POSTSCRIPT_NAME}`)) ?? fonts;
		// pdffonts columns: name, type, encoding, emb, sub, uni, object ID.
		expect(line.trim().split(/\s+/).slice(-5, -2)).toEqual(["yes", "yes", "yes"]);

		const unknown = await tenant.call("/v1/renders", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ html: "<p>x</p>", pdf: { stamps: [{ text: "a" }, { text: "b", font: "Stamp Mono", fontWeight: 700 }] } }),
		});
		const refused = await errorOf(unknown);
		expect([refused.status, refused.code, refused.paths]).toEqual([400, "INVALID_REQUEST", ["pdf.stamps.1.font"]]);
	});

	it("stamps are artifacts: a tagged document has as many structure elements with stamps as without, and the same accessibility facts", async () => {
		const html = `<!doctype html><html lang="en"><title>Tagged</title><h1>Heading</h1><p>Para one</p><h2>Sub</h2><p>Para two</p><img alt="a dot" src="data:image/png;base64,${btoa(String.fromCharCode(...(await solidPng(4, 4, [9, 9, 9]))))}">`;
		const plain = await renderPdf({ html });
		const stamped = await renderPdf({
			html,
			pdf: { stamps: [{ text: "Page {page} of {pages}" }, { text: "DRAFT", layer: "under", fontSize: 80, opacity: 0.2, position: "center", rotate: 45 }] },
		});
		const elements = await structElements(plain.bytes);
		expect(elements).toBeGreaterThan(4);
		expect(await structElements(stamped.bytes)).toBe(elements);
		// The structure facts are the same; the one new issue is the standard font, which is never embedded.
		const before = plain.job.report?.accessibility;
		const after = stamped.job.report?.accessibility;
		expect({ ...after, issues: before?.issues }).toEqual(before);
		expect(after?.issues).toEqual([...(before?.issues ?? []), "1 font is not embedded"]);
		// Each stamp's operators are marked content /Artifact.
		const contents = await runTool("qpdf", ["--qdf", "--object-streams=disable", "{pdf}", "-"], stamped.bytes);
		expect(new TextDecoder("latin1").decode(contents.stdout).match(/\/Artifact BMC/g)).toHaveLength(2);
	});
});

describe("stamps: refusals", () => {
	const post = (pdf: Record<string, unknown>, extra: Record<string, unknown> = {}) => postRender({ html: "<p>x</p>", pdf, ...extra });

	it("text a standard font cannot encode is a 400 naming the stamp, and nothing is stored in R2", async () => {
		const before = (await env.DOCUMENTS.list()).objects.length;
		const png = dataUri("image/png", await solidPng(2, 2, [0, 0, 0]));
		const res = await post({ stamps: [{ text: "請求書" }, { image: png }] });
		const error = await errorOf(res);
		expect([error.status, error.code, error.paths]).toEqual([400, "INVALID_REQUEST", ["pdf.stamps.0.text"]]);
		expect(error.details[0]?.message).toContain("WinAnsi");
		expect((await env.DOCUMENTS.list()).objects.length).toBe(before);
	});

	/** A real 1 × 1 PNG. */
	const PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

	it.each([
		["both text and image", { stamps: [{ text: "a", image: PNG }] }, {}, "pdf.stamps.0"],
		["neither text nor image", { stamps: [{ position: "center" }] }, {}, "pdf.stamps.0"],
		["an image that is not a PNG or JPEG data URI", { stamps: [{ image: "data:image/gif;base64,R0lGODlh" }] }, {}, "pdf.stamps.0.image"],
		["a PNG data URI whose bytes are not a PNG", { stamps: [{ image: "data:image/png;base64,/9j/4AAQSkZJRg==" }] }, {}, "pdf.stamps.0.image"],
		["an image over 1 MiB", { stamps: [{ image: `data:image/png;base64,iVBORw0KGgo${"A".repeat(1_400_000)}=` }] }, {}, "pdf.stamps.0.image"],
		["more than 10 stamps", { stamps: Array.from({ length: 11 }, () => ({ text: "a" })) }, {}, "pdf.stamps"],
		["a text option on an image stamp", { stamps: [{ image: PNG, fontSize: 9 }] }, {}, "pdf.stamps.0.fontSize"],
		["a line break in the text", { stamps: [{ text: "two\nlines" }] }, {}, "pdf.stamps.0.text"],
		["ZapfDingbats, which has no digits, with {page}", { stamps: [{ text: "{page}", font: "ZapfDingbats" }] }, {}, "pdf.stamps.0.text"],
		["stamps with output png", { stamps: [{ text: "a" }] }, { output: "png" }, "pdf.stamps"],
	])("%s is a 400 INVALID_REQUEST", async (_name, pdf, extra, path) => {
		const error = await errorOf(await post(pdf, extra));
		expect([error.status, error.code]).toEqual([400, "INVALID_REQUEST"]);
		expect(error.paths).toContain(path);
	});

	it("a part's own pdf takes no stamps: they belong to the merged document", async () => {
		const res = await postRender({ parts: [{ html: "<p>a</p>", pdf: { stamps: [{ text: "a" }] } }] });
		const error = await errorOf(res);
		expect([error.status, error.paths]).toEqual([400, ["parts.0.pdf.stamps"]]);
	});

	it("a stamp image is stashed in R2: the job record keeps its key, and neither it nor the job object holds the image", async () => {
		const png = await solidPng(2, 2, [0, 0, 0]);
		const res = await postRender({ html: "<p>x</p>", pdf: { stamps: [{ text: "first" }, { image: dataUri("image/png", png) }] } });
		expect(res.status).toBe(202);
		const text = await res.text();
		expect(text).not.toContain("base64");
		const { id } = JSON.parse(text) as { id: string };
		const record = await readRecord(id);
		expect(JSON.stringify(record)).not.toContain("base64");
		const key = record.pdf.stamps?.[1]?.imageKey ?? "";
		expect(key).toBe(stampImageKey("acme", id, 1));
		expect(record.pdf.stamps?.[0]).toEqual({ text: "first" });
		expect(await (await api(`/v1/renders/${id}`)).text()).not.toContain("base64");
	});
});

describe("stamp layout", () => {
	const page = { x: 0, y: 0, width: 600, height: 800 };
	const size = { width: 100, height: 20 };

	it("places a box by position and margin from the named edges", () => {
		expect(placeBox(page, size, "bottom-center", 10)).toEqual({ x: 250, y: 10 });
		expect(placeBox(page, size, "top-right", 10)).toEqual({ x: 490, y: 770 });
		expect(placeBox(page, size, "center-left", 10)).toEqual({ x: 10, y: 390 });
		expect(placeBox(page, size, "center", 10)).toEqual({ x: 250, y: 390 });
	});

	it("rotation turns the box about its centre, counter-clockwise", () => {
		const at = { x: 250, y: 390 };
		const centre = { x: 50, y: 10 };
		for (const degrees of [0, 30, 45, 90, 180, -60]) {
			const moved = apply(stampMatrix(at, size, degrees), centre);
			expect(moved.x).toBeCloseTo(300);
			expect(moved.y).toBeCloseTo(400);
		}
		// 90° counter-clockwise: the box's right end (100, 10) goes straight up from the centre.
		const end = apply(stampMatrix(at, size, 90), { x: 100, y: 10 });
		expect(end.x).toBeCloseTo(300);
		expect(end.y).toBeCloseTo(450);
	});

	it("selects pages from a range, ignoring pages past the end, and converts CSS lengths to points", () => {
		expect([...selectedPages("2-", 4)]).toEqual([1, 2, 3]);
		expect([...selectedPages("1, 3-4, 9-12", 3)]).toEqual([0, 2]);
		expect([...selectedPages(undefined, 2)]).toEqual([0, 1]);
		expect([...selectedPages("3-2, 0", 4)]).toEqual([]);
		expect([points("1in"), points("96px"), points(96), points("25.4mm"), points("2.54cm")]).toEqual([72, 72, 72, 72, 72]);
	});
});
