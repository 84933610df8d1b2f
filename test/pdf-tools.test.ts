// The PDF tools the finishing tests read with (poppler, qpdf through the Node-side tools server)
// answer for real: a known PDF's text, page count and structure come back, and a broken file fails.
import { describe, expect, it } from "vitest";
import { pdfinfo, pdftotext, qpdfCheck, qpdfJson, rasterise, runTool } from "./support/worker/pdf-tools";
import { PDFDocument, StandardFonts } from "pdf-lib";

/** A PDF of one page per text, written by pdf-lib. */
async function buildPdf(texts: string[]): Promise<Uint8Array> {
	const doc = await PDFDocument.create();
	const font = await doc.embedFont(StandardFonts.Helvetica);
	for (const text of texts) doc.addPage([300, 200]).drawText(text, { x: 20, y: 100, size: 14, font });
	return doc.save();
}

describe("PDF tools", () => {
	it("read a PDF's text, info and objects, and rasterise its page", async () => {
		const pdf = await buildPdf(["first page", "second page"]);
		expect(await pdftotext(pdf)).toContain("second page");
		expect((await pdfinfo(pdf)).Pages).toBe("2");
		expect((await qpdfJson(pdf)).pages).toHaveLength(2);
		expect((await qpdfCheck(pdf)).ok).toBe(true);
		const image = await rasterise(pdf, 1, 18);
		// 300 × 200 pt at 18 dpi.
		expect([image.width, image.height]).toEqual([75, 50]);
	});

	it("report a file that is not a PDF as a failure", async () => {
		const run = await runTool("pdfinfo", ["{pdf}"], new TextEncoder().encode("not a pdf"));
		expect(run.code).not.toBe(0);
	});
});
