// Attachments: embedded files read back with poppler's pdfdetach (listed, and saved byte for byte)
// and qpdf --json (the catalog's /AF, /AFRelationship, the MIME /Subtype, /Params /ModDate); their
// bytes wait in R2 between the API and the render, never in the job record, and are gone once the
// job ends; every refusal answers 400 naming the field and leaves nothing in R2.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { listAssets } from "../src/storage/assets";
import invoiceXml from "./fixtures/factur-x.xml?raw";
import { postRender, waitForJob } from "./support/worker/api";
import { expectError } from "./support/worker/errors";
import { readRecord } from "./support/worker/jobs";
import { type PdfDict, PdfObjects, pdfText } from "./support/worker/pdf-objects";
import { qpdfCheck, runTool } from "./support/worker/pdf-tools";

const bytesOf = (text: string) => new TextEncoder().encode(text);
const base64 = (bytes: Uint8Array) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));

const XML = bytesOf(invoiceXml);
const CSV = bytesOf("Posten;Betrag\n1;600,00\n");
const CSV_NAME = "Übersicht (März.csv";
const ATTACHMENTS = [
	{ name: "invoice.xml", contentType: "text/xml", content: base64(XML), relationship: "Data", description: "The invoice as XML" },
	{ name: CSV_NAME, contentType: "text/csv", content: base64(CSV) },
];
const HTML = "<!doctype html><title>Invoice</title><p>Invoice 42</p>";

async function syncPdf(body: Record<string, unknown>): Promise<Uint8Array> {
	const res = await postRender({ async: false, ...body });
	if (res.status !== 200) throw new Error(`render: ${res.status} ${await res.text()}`);
	return new Uint8Array(await res.arrayBuffer());
}

const pdfdetach = async (pdf: Uint8Array, args: string[]) => {
	const run = await runTool("pdfdetach", [...args, "{pdf}"], pdf);
	expect(run.code, run.stderr).toBe(0);
	return run.stdout;
};

/** The file specifications the catalog's /AF lists, by their Unicode name. */
function associatedFiles(objects: PdfObjects): Map<string, PdfDict> {
	const specs = objects.array(objects.catalog()["/AF"]).map((ref) => objects.dict(ref));
	return new Map(specs.map((spec) => [pdfText(spec["/UF"]), spec]));
}

async function expectAttached(pdf: Uint8Array): Promise<PdfObjects> {
	// Sorted by name, as a name tree must be: "invoice.xml" before "Übersicht…".
	expect(new TextDecoder().decode(await pdfdetach(pdf, ["-enc", "UTF-8", "-list"]))).toBe(`2 embedded files\n1: invoice.xml\n2: ${CSV_NAME}\n`);
	expect(await pdfdetach(pdf, ["-save", "1", "-o", "{out}"])).toEqual(XML);
	expect(await pdfdetach(pdf, ["-save", "2", "-o", "{out}"])).toEqual(CSV);
	const objects = await PdfObjects.read(pdf);
	const files = associatedFiles(objects);
	expect([...files.keys()].sort()).toEqual(["invoice.xml", CSV_NAME]);
	const xml = files.get("invoice.xml") ?? {};
	expect(xml).toMatchObject({ "/Type": "/Filespec", "/AFRelationship": "/Data" });
	expect(pdfText(xml["/Desc"])).toBe("The invoice as XML");
	const csv = files.get(CSV_NAME) ?? {};
	expect(csv["/AFRelationship"]).toBe("/Unspecified");
	// /F is a byte string: the name in printable ASCII.
	expect(pdfText(csv["/F"])).toBe("_bersicht (M_rz.csv");
	const stream = objects.dict(objects.dict(xml["/EF"])["/F"]);
	expect(stream).toMatchObject({ "/Type": "/EmbeddedFile", "/Subtype": "/text/xml" });
	const params = objects.dict(stream["/Params"]);
	expect(params["/Size"]).toBe(XML.byteLength);
	expect(pdfText(params["/ModDate"])).toMatch(/^D:\d{14}Z$/);
	const check = await qpdfCheck(pdf);
	expect(check.ok, check.output).toBe(true);
	return objects;
}

describe("attachments", () => {
	it("are embedded files pdfdetach lists and saves byte for byte, listed in the catalog's /AF with /AFRelationship, their MIME /Subtype and /ModDate", async () => {
		await expectAttached(await syncPdf({ html: HTML, pdf: { attachments: ATTACHMENTS } }));
	});

	it("are embedded in a merged document too, and in PDF/A-3b", async () => {
		const pdf = await syncPdf({ parts: [{ html: "<p>one</p>" }, { html: "<p>two</p>" }], pdf: { standard: "PDF/A-3b", attachments: ATTACHMENTS } });
		const objects = await expectAttached(pdf);
		expect(objects.catalog()["/Metadata"]).toBeDefined();
	});

	it("wait in R2 under the job's asset prefix, never in its record, and are deleted when the job ends", async () => {
		const res = await postRender({ html: HTML, pdf: { attachments: ATTACHMENTS } });
		expect(res.status).toBe(202);
		const { id } = (await res.json()) as { id: string };
		const record = await readRecord(id);
		expect(JSON.stringify(record)).not.toContain(ATTACHMENTS[0]?.content);
		expect(record.pdf).not.toHaveProperty("attachments");
		expect(record.attachments?.map((a) => [a.name, a.relationship, a.sizeBytes])).toEqual([
			["invoice.xml", "Data", XML.byteLength],
			[CSV_NAME, "Unspecified", CSV.byteLength],
		]);
		expect(await waitForJob(id)).toMatchObject({ status: "succeeded" });
		expect(await listAssets(env.DOCUMENTS, "acme", id)).toEqual([]);
	});
});

const xmlFile = { name: "a.xml", contentType: "text/xml", content: base64(XML) };
const invoice = { ...xmlFile, name: "factur-x.xml" };
const big = "A".repeat(Math.ceil((2.6 * 1024 * 1024) / 3) * 4);

/** [name, pdf options (and output), the detail path] */
const REFUSALS: Array<[string, Record<string, unknown>, string]> = [
	["attachments with PDF/A-2b", { pdf: { standard: "PDF/A-2b", attachments: [xmlFile] } }, "pdf.attachments"],
	["facturx without a standard", { pdf: { attachments: [invoice], facturx: { profile: "EN 16931" } } }, "pdf.facturx"],
	["facturx with PDF/A-2b", { pdf: { standard: "PDF/A-2b", facturx: { profile: "EN 16931" } } }, "pdf.facturx"],
	["facturx without factur-x.xml", { pdf: { standard: "PDF/A-3b", attachments: [xmlFile], facturx: { profile: "BASIC" } } }, "pdf.facturx"],
	["an unknown Factur-X profile", { pdf: { standard: "PDF/A-3b", attachments: [invoice], facturx: { profile: "XRECHNUNG" } } }, "pdf.facturx.profile"],
	["an unknown standard", { pdf: { standard: "PDF/A-1b" } }, "pdf.standard"],
	["11 attachments", { pdf: { attachments: Array.from({ length: 11 }, (_, i) => ({ ...xmlFile, name: `${i}.xml` })) } }, "pdf.attachments"],
	[
		"attachments over 5 MiB in all",
		{
			pdf: {
				attachments: [
					{ ...xmlFile, content: big },
					{ ...xmlFile, name: "b.xml", content: big },
				],
			},
		},
		"pdf.attachments",
	],
	["content that is not base64", { pdf: { attachments: [{ ...xmlFile, content: "not base64!" }] } }, "pdf.attachments.0.content"],
	["two attachments of one name", { pdf: { attachments: [xmlFile, xmlFile] } }, "pdf.attachments.1.name"],
	["a name with a path", { pdf: { attachments: [{ ...xmlFile, name: "../etc/passwd" }] } }, "pdf.attachments.0.name"],
	[
		"a content type that is not a MIME type",
		{ pdf: { attachments: [{ ...xmlFile, contentType: "text/xml; charset=utf-8" }] } },
		"pdf.attachments.0.contentType",
	],
	["an unknown relationship", { pdf: { attachments: [{ ...xmlFile, relationship: "Schema" }] } }, "pdf.attachments.0.relationship"],
	["standard with an image output", { output: "png", pdf: { standard: "PDF/A-3b" } }, "pdf.standard"],
	["standard with encrypt (PDF/A forbids encryption)", { pdf: { standard: "PDF/A-3b", encrypt: { userPassword: "pw" } } }, "pdf.encrypt"],
	["standard with a text stamp in a standard font (never embedded)", { pdf: { standard: "PDF/A-2b", stamps: [{ text: "Page {page}" }] } }, "pdf.stamps.0.font"],
	["attachments with an image output", { output: "jpeg", pdf: { attachments: [xmlFile] } }, "pdf.attachments"],
	["attachments on a part", { parts: [{ html: "<p>x</p>", pdf: { attachments: [xmlFile] } }] }, "parts.0.pdf.attachments"],
];

const storedAssets = async () => (await env.DOCUMENTS.list({ prefix: "assets/" })).objects.map((o) => o.key);

describe("refused with 400", () => {
	const cases = REFUSALS.map(([name, options, path]) => ({ name, options, path }));
	it.each(cases)("$name (naming $path)", async ({ options, path }) => {
		const body = { html: "<p>x</p>", ...options };
		if ("parts" in options) delete (body as { html?: string }).html;
		const before = await storedAssets();
		const error = await expectError(await postRender(body), 400, "INVALID_REQUEST");
		expect(error.details?.map((d) => d.path)).toContain(path);
		expect(await storedAssets()).toEqual(before);
	});
});
