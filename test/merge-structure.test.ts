// A merged document keeps its document structure: one structure tree over every part, one outline
// with every part's headings, named destinations that keep each part's links in that part, the first
// part's /Lang. Read back with qpdf and poppler, and compared with the parts printed alone.
import { describe, expect, it } from "vitest";
import { renderPdf } from "./support/worker/pdf";
import { pdfinfo, qpdfCheck, qpdfJson, type QpdfOutline } from "./support/worker/pdf-tools";
import { PdfObjects } from "./support/worker/pdf-structure";

/** Two pages: a title and a link to the details on page 2 (every part has ids "top" and "details"). */
const part = (n: number, lang: string) => `<!doctype html><html lang="${lang}"><title>Part ${n}</title>
<h1 id="top">Part ${n}</h1><p>Opening of part ${n}. <a href="#details">Details of part ${n}</a></p>
<h2 id="details" style="break-before:page">Details ${n}</h2><p>Second page of part ${n}.</p><h3>Notes ${n}</h3><p>The end of part ${n}.</p>`;

const PARTS = [part(1, "de"), part(2, "fr"), part(3, "fr")];

async function read(body: Record<string, unknown>) {
	const { job, bytes } = await renderPdf(body);
	return { job, bytes, pdf: new PdfObjects(await qpdfJson(bytes)) };
}

/** The three parts merged, with an outline: rendered once for the tests that read it. */
let merged: ReturnType<typeof read> | undefined;
const mergedOnce = () => {
	merged ??= read({ parts: PARTS.map((html) => ({ html })), pdf: { outline: true } });
	return merged;
};

/** The outline, depth first: each entry's title and the page it points at. */
const flatten = (items: QpdfOutline[]): Array<[string, number | null]> => items.flatMap((o) => [[o.title, o.destpageposfrom1], ...flatten(o.kids)]);

describe("a merged document keeps its structure", { timeout: 120_000 }, () => {
	it("one structure tree over all parts: catalog entries, every page's /StructParents in the /ParentTree, element counts the parts' sum", async () => {
		const { bytes, pdf } = await mergedOnce();
		expect(pdf.catalog).toMatchObject({
			"/StructTreeRoot": expect.any(String),
			"/MarkInfo": { "/Marked": true },
			"/Lang": "u:de",
		});
		expect(pdf.dict(pdf.catalog["/ViewerPreferences"])).toMatchObject({ "/DisplayDocTitle": true });
		expect((await pdfinfo(bytes)).Tagged).toBe("yes");
		expect((await pdfinfo(bytes)).Pages).toBe("6");
		expect(await qpdfCheck(bytes)).toMatchObject({ ok: true });

		const parents = pdf.parentTree();
		const pages = pdf.pages();
		expect(pages).toHaveLength(6);
		for (const [i, page] of pages.entries()) {
			const key = page["/StructParents"];
			expect(typeof key).toBe("number");
			// The page's entry lists the structure elements of its marked content, each on this very page.
			const elements = pdf.resolve(parents.get(Number(key)));
			expect(Array.isArray(elements) && elements.length > 0).toBe(true);
			for (const elem of Array.isArray(elements) ? elements : []) expect(pdf.pageOf(pdf.dict(elem)["/Pg"])).toBe(i + 1);
		}
		expect(pdf.dict(pdf.catalog["/StructTreeRoot"])["/ParentTreeNextKey"]).toBe(Math.max(...parents.keys()) + 1);

		const alone = await Promise.all(PARTS.map((html) => read({ html })));
		const sum: Record<string, number> = {};
		for (const { pdf: one } of alone) for (const [role, n] of Object.entries(one.structureCounts())) sum[role] = (sum[role] ?? 0) + n;
		expect(sum).toMatchObject({ "/Document": 3, "/H1": 3, "/H2": 3, "/H3": 3, "/Link": 3 });
		expect(pdf.structureCounts()).toEqual(sum);
	});

	it("outline: true gives one outline with every part's headings in order, each pointing at its page in the merged document", async () => {
		const { json } = (await mergedOnce()).pdf;
		expect(flatten(json.outlines)).toEqual([
			["Part 1", 1],
			["Details 1", 2],
			["Notes 1", 2],
			["Part 2", 3],
			["Details 2", 4],
			["Notes 2", 4],
			["Part 3", 5],
			["Details 3", 6],
			["Notes 3", 6],
		]);
	});

	it("an internal link in a later part to an id an earlier part also has still points into its own part", async () => {
		const { pdf } = await mergedOnce();
		// Each part's first page has its one link, to its own "details" on the page after it.
		const targets = [1, 3, 5].map((page) => {
			const annots = pdf.resolve(pdf.pages()[page - 1]?.["/Annots"]);
			expect(Array.isArray(annots) && annots.length).toBe(1);
			const link = pdf.dict(Array.isArray(annots) ? annots[0] : null);
			return pdf.destinationPage(link["/Dest"] ?? pdf.dict(link["/A"])["/D"]);
		});
		expect(targets).toEqual([2, 4, 6]);
	});

	it("the report's accessibility facts describe the merged PDF: tagged, the parts' headings summed, the outline's entries", async () => {
		const { job } = await mergedOnce();
		expect(job.report?.accessibility).toMatchObject({ tagged: true, lang: "de", title: "Part 1", headings: 9, outlineEntries: 9, issues: [] });
	});

	it("pdf.metadata.language wins over the first part's lang", async () => {
		const { job, pdf } = await read({ parts: [{ html: part(1, "de") }, { html: part(2, "fr") }], pdf: { metadata: { language: "en-GB" } } });
		expect(pdf.catalog["/Lang"]).toBe("u:en-GB");
		expect(job.report?.accessibility?.lang).toBe("en-GB");
	});

	it("a part printed untagged makes the merged document untagged: no structure tree, no keys left on pages, the outline kept", async () => {
		// (Chrome tags a page it makes an outline of whatever `tagged` says: the untagged part has none.)
		const untagged = { html: part(2, "fr"), pdf: { tagged: false, outline: false } };
		const { bytes, pdf, job } = await read({ parts: [{ html: part(1, "de") }, untagged], pdf: { outline: true } });
		expect(pdf.catalog["/StructTreeRoot"]).toBeUndefined();
		expect(pdf.catalog["/MarkInfo"]).toBeUndefined();
		expect(pdf.pages().map((page) => page["/StructParents"])).toEqual([undefined, undefined, undefined, undefined]);
		expect((await pdfinfo(bytes)).Tagged).toBe("no");
		expect(await qpdfCheck(bytes)).toMatchObject({ ok: true });
		expect(flatten(pdf.json.outlines)).toEqual([
			["Part 1", 1],
			["Details 1", 2],
			["Notes 1", 2],
		]);
		// The outline no longer names structure elements (/SE): they are not in the document.
		expect(pdf.dict(pdf.json.outlines[0]?.object)["/SE"]).toBeUndefined();
		expect(job.report?.accessibility).toMatchObject({ tagged: false, headings: 0 });
	});
});
