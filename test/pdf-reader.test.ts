// The PDF object reader (src/pdf/): its tokenizer, its parser, the streaming scan of a whole file and
// the page count read from the page tree, on PDFs written by hand where page text tries to pass for structure.
import { PDFDocument, PDFName, PDFString } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { Lexer, type Token } from "../src/pdf/lexer";
import { parseObjectAt } from "../src/pdf/objects";
import { PageCounter } from "../src/pdf/page-count";
import { UnreadablePdf } from "../src/pdf/scanner";
import { isDict, PdfName, PdfRef, type PdfString, textOf as pdfTextOf } from "../src/pdf/values";
import { type Body, bytesOf, classicPdf, incrementalUpdate, startxrefOf, textOf } from "./support/worker/pdf-build";
import { readPdf } from "./support/worker/pdf";

const SPOOF = "<</Type /Pages /Count 9>>";

/** A one-page PDF whose extra objects (4 on) carry whatever a page might have put there. */
function onePage(extra: Record<number, Body> = {}): Uint8Array {
	return classicPdf(
		{
			1: "<</Type /Catalog /Pages 2 0 R>>",
			2: "<</Type /Pages /Count 1 /Kids [3 0 R]>>",
			3: "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]>>",
			...extra,
		},
		"/Root 1 0 R",
	);
}

/** The page count of `pdf` fed in pieces of `size` bytes. */
function countIn(pdf: Uint8Array, size = pdf.byteLength): number {
	const counter = new PageCounter();
	for (let at = 0; at < pdf.byteLength; at += size) counter.feed(pdf.subarray(at, at + size));
	return counter.count();
}

/** Every token of `text`, fed as one chunk, copied out (the lexer reuses its token objects). */
function tokens(text: string): Token[] {
	const out: Token[] = [];
	const lexer = new Lexer((token) => out.push({ ...token }));
	lexer.push(bytesOf(text));
	lexer.end();
	return out;
}

const stringsIn = (text: string) => tokens(text).flatMap((t) => (t.kind === "string" ? [textOf(t.value)] : []));

describe("the PDF tokenizer", () => {
	it("reads literal strings with escapes, octal codes, line continuations and balanced parentheses", () => {
		expect(stringsIn("(a\\)b) (x (nested (deep)) y) (\\053\\53\\0053) (line\\\ncontinued) (\\n\\t\\\\) (cr\r\nlf)")).toEqual([
			"a)b",
			"x (nested (deep)) y",
			"++\x053",
			"linecontinued",
			"\n\t\\",
			"cr\nlf",
		]);
	});

	it("reads hex strings (whitespace ignored, an odd digit padded), names with #xx, numbers, keywords and delimiters", () => {
		expect(stringsIn("<48 65 6c6C 6>")).toEqual(["Hell`"]);
		const read = tokens("/Type/A#20B#2F [ -3 +.5 4. 12 0 R ] <</K true>> null % /Type /Pages\n obj");
		expect(read.map((t) => (t.kind === "delimiter" ? t.value : `${t.kind}:${String(t.value)}`))).toEqual([
			"name:Type",
			"name:A B/",
			"[",
			"number:-3",
			"number:0.5",
			"number:4",
			"number:12",
			"number:0",
			"keyword:R",
			"]",
			"<<",
			"name:K",
			"keyword:true",
			">>",
			"keyword:null",
			"keyword:obj",
		]);
	});

	it("gives the same tokens however the bytes are cut", () => {
		const text = "1 0 obj <</T (a \\(b\\) \\053 (c)) /H <4142 43> /N /A#42C /R 12 0 R /X [1.5 -2]>> % note\nendobj";
		const whole = tokens(text);
		for (let cut = 1; cut < text.length; cut++) {
			const out: Token[] = [];
			const lexer = new Lexer((token) => out.push({ ...token }));
			lexer.push(bytesOf(text.slice(0, cut)));
			lexer.push(bytesOf(text.slice(cut)));
			lexer.end();
			expect(out, `cut at ${cut}`).toEqual(whole);
		}
	});
});

describe("random access to one object", () => {
	it("parses the object an xref offset points at: nested dictionaries, arrays, references, and where its stream starts", () => {
		const data = "BT /F1 12 Tf (endobj /Count 9) Tj ET";
		const pdf = onePage({
			4: [`<</Length ${data.length} /Info <</Title (x \\) >> endobj)>> /Deep <</A [1 (two) /Three 4 0 R]>>>>\nstream\n`, data, "\nendstream"],
		});
		const offset = textOf(pdf).indexOf("4 0 obj");
		const object = parseObjectAt(pdf, offset);
		expect(object).toMatchObject({ num: 4, gen: 0 });
		expect(isDict(object.value)).toBe(true);
		const dict = object.value as Map<string, unknown>;
		expect(dict.get("Length")).toBe(data.length);
		expect(pdfTextOf((dict.get("Info") as Map<string, PdfString>).get("Title") as PdfString)).toBe("x ) >> endobj");
		const deep = (dict.get("Deep") as Map<string, unknown[]>).get("A");
		expect(deep?.[0]).toBe(1);
		expect(deep?.[2]).toEqual(new PdfName("Three"));
		expect(deep?.[3]).toEqual(new PdfRef(4, 0));
		expect(object.stream).toEqual({ start: textOf(pdf).indexOf(data), length: data.length });
	});
});

describe("the page count from the page tree", () => {
	it("is not fooled by page-tree text inside literal and hex strings, escaped parentheses or comments", () => {
		const hex = Array.from(SPOOF, (c) => c.charCodeAt(0).toString(16)).join("");
		const pdf = onePage({
			4: `<</Type /StructElem /S /Figure /Alt (${SPOOF})>>`,
			5: `<</Title (\\) ${SPOOF} \\() /Alt (( ${SPOOF} ))>>`,
			6: `<</Type /StructElem /Alt <${hex}>>>`,
			7: `[ % ${SPOOF}\n 1 2 ]`,
		});
		expect(textOf(pdf)).toContain("/Count 9");
		expect(countIn(pdf)).toBe(1);
	});

	it("reads only the page tree the catalog names: a Pages dictionary nested elsewhere or unreferenced does not count", () => {
		const pdf = onePage({ 4: `<</Type /Annot /A ${SPOOF}>>`, 5: "<</Type /Pages /Count 9 /Kids []>>" });
		expect(countIn(pdf)).toBe(1);
	});

	it("passes over stream data by its /Length, direct or indirect, even when the data spells endobj and /Count", () => {
		const data = `endstream\nendobj\n8 0 obj\n${SPOOF}\nendobj\n`;
		const direct = onePage({ 4: [`<</Length ${data.length}>>\nstream\n`, data, "\nendstream"] });
		expect(countIn(direct)).toBe(1);
		const indirect = onePage({ 4: `${data.length}`, 5: ["<</Length 4 0 R>>\nstream\r\n", data, "\nendstream"] });
		expect(countIn(indirect)).toBe(1);
		// A length defined after its stream is not known yet: the data is passed over up to `endstream`.
		const later = onePage({ 4: ["<</Length 5 0 R>>\nstream\n", "BT (page text /Count 9) Tj ET", "\nendstream"], 5: "29" });
		expect(countIn(later)).toBe(1);
	});

	it("follows the newest trailer: an incremental update that redefines the page tree or the catalog wins", () => {
		const original = onePage();
		const morePages = incrementalUpdate(original, { 2: "<</Type /Pages /Count 3 /Kids [3 0 R 4 0 R 5 0 R]>>" }, "/Root 1 0 R");
		expect(countIn(morePages)).toBe(3);
		const newCatalog = incrementalUpdate(morePages, { 9: "<</Type /Catalog /Pages 10 0 R>>", 10: "<</Type /Pages /Count 7 /Kids []>>" }, "/Root 9 0 R");
		expect(countIn(newCatalog)).toBe(7);
		// An update of something else (the Info dictionary, as ours) leaves the page tree to the older section.
		const info = incrementalUpdate(original, { 4: `<</Title (${SPOOF})>>` }, "/Root 1 0 R /Info 4 0 R");
		expect(countIn(info)).toBe(1);
	});

	it("gives the same count for every way of cutting the PDF into two chunks, and byte by byte", () => {
		const data = "endobj /Count 9 endstream";
		const pdf = incrementalUpdate(
			onePage({ 4: `<</Alt (${SPOOF}) /H <${"41".repeat(8)}>>>`, 5: [`<</Length ${data.length}>>\nstream\n`, data, "\nendstream"] }),
			{ 2: "<</Type /Pages /Count 2 /Kids [3 0 R 6 0 R]>>" },
			"/Root 1 0 R",
		);
		for (let cut = 1; cut < pdf.byteLength; cut++) {
			const counter = new PageCounter();
			counter.feed(pdf.subarray(0, cut));
			counter.feed(pdf.subarray(cut));
			expect(counter.count(), `cut at ${cut}`).toBe(2);
		}
		expect(countIn(pdf, 1)).toBe(2);
	});

	it("refuses what it cannot read rather than guess: an xref stream, a stream whose /Length is wrong, a cut file, a free page tree", () => {
		const xrefStream = bytesOf("%PDF-1.7\n1 0 obj\n<</Type /XRef /Size 1 /Length 0>>\nstream\n\nendstream\nendobj\nstartxref\n9\n%%EOF\n");
		expect(() => countIn(xrefStream)).toThrow(/no xref table at offset 9/);
		const wrongLength = onePage({ 4: ["<</Length 3>>\nstream\n", "BT (x) Tj ET", "\nendstream"] });
		expect(() => countIn(wrongLength)).toThrow(UnreadablePdf);
		const pdf = onePage();
		expect(() => countIn(pdf.subarray(0, startxrefOf(pdf) + 20))).toThrow(UnreadablePdf);
		const freed = incrementalUpdate(pdf, { 4: "null" }, "/Root 1 0 R");
		const freedText = textOf(freed).replace(/xref\n4 1\n(\d{10}) 00000 n/, "xref\n2 1\n$1 00000 f");
		expect(() => countIn(bytesOf(freedText))).toThrow(/not what was looked for/);
	});

	it("reads pdf-lib's output, as merged parts are saved (no object streams), and agrees with pdf.js", async () => {
		const doc = await PDFDocument.create();
		for (let i = 0; i < 3; i++) doc.addPage().node.set(PDFName.of("Alt"), PDFString.of(SPOOF));
		doc.setTitle(SPOOF);
		const pdf = await doc.save({ useObjectStreams: false });
		expect(textOf(pdf)).toContain(SPOOF);
		expect(countIn(pdf, 1000)).toBe(3);
		expect((await readPdf(pdf)).pages).toBe(3);
	});

	it("keeps only a capped piece of over-long strings and names, and still counts", () => {
		const long = "x".repeat(100_000);
		const pdf = onePage({ 4: `<</Alt (${long} ${SPOOF}) /${long} 1 /Hex <${"41".repeat(50_000)}>>>` });
		expect(countIn(pdf, 4096)).toBe(1);
	});
});
