// PDF/A-2b and PDF/A-3b, read with tools no one here wrote (qpdf --json and --check, poppler's
// pdffonts and pdfinfo): the sRGB output intent with the committed ICC profile byte for byte, XMP that
// agrees with the Info dictionary, a file /ID, every font embedded, printable annotations and no
// JavaScript. What Chromium never writes (a JavaScript open action, a hidden link, a font that is
// not embedded) is put right or refused by the step itself, on PDFs pdf-lib builds.
import { describe, expect, it } from "vitest";
import { PDFDocument, PDFName, PDFNumber, StandardFonts } from "pdf-lib";
import iccDataUrl from "../src/finish/assets/sRGB2014.icc?inline";
import { FinishError, finishDocument, type FinishInput } from "../src/finish/finish";
import { NO_ASSETS } from "../src/finish/step";
import { postRender } from "./support/worker/api";
import { type PdfDict, PdfObjects, pdfDate, pdfText, xmpField } from "./support/worker/pdf-objects";
import { pdfinfo, qpdfCheck, runTool } from "./support/worker/pdf-tools";

const committedIcc = Uint8Array.from(atob(iccDataUrl.slice(iccDataUrl.indexOf(",") + 1)), (c) => c.charCodeAt(0));

const METADATA = {
	title: "Rechnung <42> & Söhne\r\nMärz",
	author: "ACME GmbH",
	subject: "Invoice 42",
	keywords: ["invoice", "2026"],
	creator: "billing-app",
};

const HTML = `<!doctype html><html lang="de"><title>ignored</title>
<p>Rechnung 42 – <a href="https://example.com/pay">bezahlen</a>, <a href="#items">Posten</a></p>
<p style="font-family: monospace">mono</p><h2 id="items">Posten</h2>`;

async function renderPdfA(standard: string): Promise<Uint8Array> {
	const res = await postRender({ html: HTML, async: false, pdf: { standard, metadata: METADATA } });
	if (res.status !== 200) throw new Error(`render: ${res.status} ${await res.text()}`);
	return new Uint8Array(await res.arrayBuffer());
}

async function xmpOf(objects: PdfObjects): Promise<string> {
	const ref = objects.catalog()["/Metadata"];
	const dict = objects.dict(ref);
	expect(dict).toMatchObject({ "/Type": "/Metadata", "/Subtype": "/XML" });
	// Uncompressed: a reader that does not inflate finds the PDF/A identification.
	expect(dict["/Filter"]).toBeUndefined();
	return new TextDecoder().decode(await objects.streamData(ref));
}

/** Every dictionary in a value, nested direct ones included. */
function dictsIn(value: unknown): PdfDict[] {
	if (Array.isArray(value)) return value.flatMap(dictsIn);
	if (value === null || typeof value !== "object") return [];
	return [value as PdfDict, ...Object.values(value).flatMap(dictsIn)];
}

describe.each([
	["PDF/A-3b", "3"],
	["PDF/A-2b", "2"],
])("%s", (standard, part) => {
	it("carries the sRGB output intent, its ICC profile byte for byte the committed one", async () => {
		const pdf = await renderPdfA(standard);
		const objects = await PdfObjects.read(pdf);
		const intents = objects.array(objects.catalog()["/OutputIntents"]);
		expect(intents).toHaveLength(1);
		const intent = objects.dict(intents[0]);
		expect(intent).toMatchObject({ "/Type": "/OutputIntent", "/S": "/GTS_PDFA1" });
		expect(pdfText(intent["/OutputConditionIdentifier"])).toBe("sRGB IEC61966-2.1");
		expect(objects.dict(intent["/DestOutputProfile"])["/N"]).toBe(3);
		expect(await objects.streamData(intent["/DestOutputProfile"])).toEqual(committedIcc);
	});

	it(`has XMP with pdfaid:part ${part} and conformance B whose title, author, producer, creator tool, keywords and dates are the Info dictionary's`, async () => {
		const pdf = await renderPdfA(standard);
		const objects = await PdfObjects.read(pdf);
		const xmp = await xmpOf(objects);
		const info = objects.info();
		expect(xmpField(xmp, "pdfaid:part")).toBe(part);
		expect(xmpField(xmp, "pdfaid:conformance")).toBe("B");
		// An XML parser reads a literal CR as LF: the title's CR must be a character reference.
		expect(xmp).not.toContain("\r");
		expect(xmpField(xmp, "dc:title")).toBe(METADATA.title);
		expect(pdfText(info["/Title"])).toBe(METADATA.title);
		expect(xmpField(xmp, "dc:creator")).toBe(pdfText(info["/Author"]));
		expect(xmpField(xmp, "dc:description")).toBe(pdfText(info["/Subject"]));
		expect(xmpField(xmp, "pdf:Keywords")).toBe(pdfText(info["/Keywords"]));
		expect(xmpField(xmp, "pdf:Producer")).toBe(pdfText(info["/Producer"]));
		expect(xmpField(xmp, "xmp:CreatorTool")).toBe("billing-app");
		expect(pdfText(info["/Creator"])).toBe("billing-app");
		const created = pdfDate(pdfText(info["/CreationDate"]));
		const modified = pdfDate(pdfText(info["/ModDate"]));
		expect(new Date(xmpField(xmp, "xmp:CreateDate") ?? "")).toEqual(created);
		expect(new Date(xmpField(xmp, "xmp:ModifyDate") ?? "")).toEqual(modified);
		expect(new Date(xmpField(xmp, "xmp:MetadataDate") ?? "")).toEqual(modified);
	});

	it("has a file /ID, every font embedded, printable links, no JavaScript or additional actions, a 1.7 header, and passes qpdf --check", async () => {
		const pdf = await renderPdfA(standard);
		const objects = await PdfObjects.read(pdf);
		const id = objects.array(objects.trailer()["/ID"]);
		expect(id).toHaveLength(2);
		for (const half of id) expect(pdfText(half)).toHaveLength(16);

		const fonts = new TextDecoder()
			.decode((await runTool("pdffonts", ["{pdf}"], pdf)).stdout)
			.trim()
			.split("\n")
			.slice(2);
		expect(fonts.length).toBeGreaterThan(0);
		// Columns: name type encoding emb sub uni object ID; "emb" is the fourth from the end.
		for (const row of fonts) expect(row.trim().split(/\s+/).at(-5), row).toBe("yes");

		const annots = objects.array(objects.dict(objects.catalog()["/Pages"])["/Kids"]).flatMap((page) => {
			const list = objects.dict(page)["/Annots"];
			return list === undefined ? [] : objects.array(list).map((a) => objects.dict(a));
		});
		expect(annots.length).toBe(2);
		for (const annot of annots) expect(Number(annot["/F"]) & 4).toBe(4);

		const dicts = objects.all().flatMap(dictsIn);
		expect(dicts.filter((d) => "/AA" in d || d["/S"] === "/JavaScript" || d["/S"] === "/Launch")).toEqual([]);
		expect(objects.catalog()["/OpenAction"]).toBeUndefined();
		const names = objects.catalog()["/Names"];
		if (names !== undefined) expect(objects.dict(names)["/JavaScript"]).toBeUndefined();

		expect((await pdfinfo(pdf))["PDF version"]).toBe("1.7");
		const check = await qpdfCheck(pdf);
		expect(check.ok, check.output).toBe(true);
	});
});

/** The finishing input of a PDF/A render without attachments. */
const pdfaInput = (standard: "PDF/A-2b" | "PDF/A-3b"): FinishInput => ({
	pdf: { standard },
	title: "t",
	lang: null,
	attachments: [],
	assets: NO_ASSETS,
	encrypt: null,
	signingKey: null,
});

describe("the PDF/A step on what Chromium never writes", () => {
	it("removes a JavaScript open action, additional actions and the JavaScript name tree, and makes a hidden link printable", async () => {
		const doc = await PDFDocument.create();
		const page = doc.addPage([200, 200]);
		const js = doc.context.obj({ S: "JavaScript", JS: "app.alert(1)" });
		doc.catalog.set(PDFName.of("OpenAction"), doc.context.register(js));
		doc.catalog.set(PDFName.of("Names"), doc.context.obj({ JavaScript: doc.context.obj({ Names: ["x", doc.context.register(js)] }) }));
		const link = doc.context.obj({ Type: "Annot", Subtype: "Link", Rect: [0, 0, 10, 10], F: 2, AA: { O: js }, A: { S: "Launch", F: "calc.exe" } });
		page.node.set(PDFName.of("Annots"), doc.context.obj([doc.context.register(link)]));
		await finishDocument(doc, pdfaInput("PDF/A-3b"));
		const objects = await PdfObjects.read(await doc.save());
		expect(objects.catalog()["/OpenAction"]).toBeUndefined();
		expect(objects.dict(objects.catalog()["/Names"])["/JavaScript"]).toBeUndefined();
		const annot = objects.dict(objects.array(objects.dict(objects.array(objects.dict(objects.catalog()["/Pages"])["/Kids"])[0])["/Annots"])[0]);
		expect(annot["/F"]).toBe(4);
		expect(annot["/AA"]).toBeUndefined();
		expect(annot["/A"]).toBeUndefined();
		expect(link.lookup(PDFName.of("F"), PDFNumber).asNumber()).toBe(4);
	});

	it("refuses a font that is not embedded (a standard-14 font), naming it", async () => {
		const doc = await PDFDocument.create();
		const font = await doc.embedFont(StandardFonts.Helvetica);
		doc.addPage([200, 200]).drawText("x", { font, x: 10, y: 10 });
		await doc.flush();
		const failure = await finishDocument(doc, pdfaInput("PDF/A-2b")).catch((err: unknown) => err);
		expect(failure).toBeInstanceOf(FinishError);
		expect((failure as Error).message).toBe("the font Helvetica is not embedded, and PDF/A needs every font embedded (name a tenant font for stamps)");
	});
});
