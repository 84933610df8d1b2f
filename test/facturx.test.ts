// Factur-X end to end: an EN 16931 invoice's XML in, a PDF/A-3b out that carries it as factur-x.xml
// (pdfdetach returns it byte for byte, /AFRelationship Alternative by default) and announces it in
// the XMP: the fx: properties and their pdfaExtension schema description, read with qpdf.
import { describe, expect, it } from "vitest";
import { FACTURX_NAMESPACE } from "../src/finish/facturx";
import invoiceXml from "./fixtures/factur-x.xml?raw";
import { postRender } from "./support/worker/api";
import { PdfObjects, pdfText, xmpField } from "./support/worker/pdf-objects";
import { qpdfCheck, runTool } from "./support/worker/pdf-tools";

const XML = new TextEncoder().encode(invoiceXml);
const content = btoa(Array.from(XML, (b) => String.fromCharCode(b)).join(""));

describe("Factur-X", () => {
	it("an EN 16931 invoice's XML in, a PDF/A-3b out with factur-x.xml embedded and the Factur-X XMP schema described", async () => {
		const res = await postRender({
			html: "<!doctype html><title>Invoice INV-2026-00421</title><h1>Invoice INV-2026-00421</h1><p>Total: 714,00 EUR</p>",
			async: false,
			pdf: { standard: "PDF/A-3b", attachments: [{ name: "factur-x.xml", contentType: "text/xml", content }], facturx: { profile: "EN 16931" } },
		});
		if (res.status !== 200) throw new Error(`render: ${res.status} ${await res.text()}`);
		const pdf = new Uint8Array(await res.arrayBuffer());

		const saved = await runTool("pdfdetach", ["-save", "1", "-o", "{out}", "{pdf}"], pdf);
		expect(saved.stdout).toEqual(XML);
		const objects = await PdfObjects.read(pdf);
		const [spec] = objects.array(objects.catalog()["/AF"]).map((ref) => objects.dict(ref));
		expect(pdfText(spec?.["/UF"])).toBe("factur-x.xml");
		expect(spec?.["/AFRelationship"]).toBe("/Alternative");

		const xmp = new TextDecoder().decode(await objects.streamData(objects.catalog()["/Metadata"]));
		expect(xmpField(xmp, "pdfaid:part")).toBe("3");
		expect(xmp).toContain(`xmlns:fx="${FACTURX_NAMESPACE}"`);
		expect(FACTURX_NAMESPACE).toBe("urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#");
		expect(xmpField(xmp, "fx:DocumentType")).toBe("INVOICE");
		expect(xmpField(xmp, "fx:DocumentFileName")).toBe("factur-x.xml");
		expect(xmpField(xmp, "fx:Version")).toBe("1.0");
		expect(xmpField(xmp, "fx:ConformanceLevel")).toBe("EN 16931");
		// The extension schema's description, which PDF/A requires of a schema it does not predefine.
		expect(xmp).toContain('xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"');
		expect(xmpField(xmp, "pdfaSchema:namespaceURI")).toBe(FACTURX_NAMESPACE);
		expect(xmpField(xmp, "pdfaSchema:prefix")).toBe("fx");
		const described = [
			...xmp.matchAll(
				/<pdfaProperty:name>([^<]*)<\/pdfaProperty:name>\s*<pdfaProperty:valueType>Text<\/pdfaProperty:valueType>\s*<pdfaProperty:category>external</g,
			),
		];
		expect(described.map((m) => m[1])).toEqual(["DocumentFileName", "DocumentType", "Version", "ConformanceLevel"]);

		const check = await qpdfCheck(pdf);
		expect(check.ok, check.output).toBe(true);
	});
});
