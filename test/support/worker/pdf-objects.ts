// Worker side: runs inside workerd, imported by the tests.
// A PDF's objects as qpdf reads them (qpdf --json, version 2), to walk from the trailer and catalog:
// references ("12 0 R") resolved, strings decoded ("u:" text, "b:" hex bytes), streams' data
// decoded by qpdf itself (--show-object --filtered-stream-data). Nothing here parses PDF syntax.
import { expect } from "vitest";
import { qpdfJson, runTool } from "./pdf-tools";

export type PdfDict = Record<string, unknown>;

const REF = /^(\d+) (\d+) R$/;

export class PdfObjects {
	private constructor(
		private readonly pdf: Uint8Array,
		private readonly objects: Record<string, { value?: unknown; stream?: { dict: PdfDict } }>,
	) {}

	static async read(pdf: Uint8Array): Promise<PdfObjects> {
		return new PdfObjects(pdf, (await qpdfJson(pdf)).qpdf[1]);
	}

	trailer(): PdfDict {
		return this.dict(this.objects.trailer?.value);
	}

	catalog(): PdfDict {
		return this.dict(this.trailer()["/Root"]);
	}

	info(): PdfDict {
		return this.dict(this.trailer()["/Info"]);
	}

	/** A reference's object (a stream's dictionary for a stream); anything else as it is. */
	resolve(value: unknown): unknown {
		if (typeof value !== "string" || !REF.test(value)) return value;
		const entry = this.objects[`obj:${value}`];
		return entry?.stream ? entry.stream.dict : entry?.value;
	}

	dict(value: unknown): PdfDict {
		const resolved = this.resolve(value);
		expect(resolved, `${String(value)} is a dictionary`).toBeTypeOf("object");
		return resolved as PdfDict;
	}

	array(value: unknown): unknown[] {
		const resolved = this.resolve(value);
		expect(Array.isArray(resolved), `${String(value)} is an array`).toBe(true);
		return resolved as unknown[];
	}

	/** Every object's value (streams: their dictionary), for searches over the whole file. */
	all(): unknown[] {
		return Object.values(this.objects).map((entry) => entry.stream?.dict ?? entry.value);
	}

	/** A stream's data, decoded by qpdf; `ref` is "N 0 R". */
	async streamData(ref: unknown): Promise<Uint8Array> {
		const match = String(ref).match(REF);
		expect(match, `${String(ref)} is a reference`).not.toBeNull();
		const run = await runTool("qpdf", [`--show-object=${match?.[1]}`, "--filtered-stream-data", "{pdf}"], this.pdf);
		expect(run.code, run.stderr).toBe(0);
		return run.stdout;
	}
}

/** A qpdf JSON string as text: "u:…" is text, "b:…" bytes in hex (read as Latin-1). */
export function pdfText(value: unknown): string {
	const s = String(value);
	if (s.startsWith("u:")) return s.slice(2);
	if (s.startsWith("b:")) return String.fromCharCode(...(s.slice(2).match(/../g) ?? []).map((h) => Number.parseInt(h, 16)));
	throw new Error(`not a PDF string: ${s}`);
}

/** A PDF date string (D:YYYYMMDDHHmmSS with Z or ±HH'mm') as the instant it names. */
export function pdfDate(value: string): Date {
	const m = value.match(/^D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(Z|[+-]\d{2}'\d{2}'?)?$/);
	if (!m) throw new Error(`not a PDF date: ${value}`);
	const zone = !m[7] || m[7] === "Z" ? "Z" : `${m[7].slice(0, 3)}:${m[7].slice(4, 6)}`;
	return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`);
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&#xD;": "\r" };

/**
 * The text of an XMP property read as text (an element's content, or its rdf:li's for rdf:Alt and
 * rdf:Seq values), entities decoded; undefined when the packet does not have it.
 */
export function xmpField(xmp: string, name: string): string | undefined {
	const match = xmp.match(new RegExp(`<${name}>(?:\\s*<rdf:(?:Alt|Seq|Bag)>\\s*<rdf:li[^>]*>)?([^<]*)<`));
	return match?.[1]?.replace(/&(?:amp|lt|gt|quot|apos|#xD);/g, (entity) => ENTITIES[entity] ?? entity);
}
