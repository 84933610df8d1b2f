// One pass over a PDF as it streams to storage: its page count (page-count.ts), and the facts the
// render report gives about it, its fonts (fonts.ts) and what it offers assistive technology
// (structure.ts). One scanner for all, so the document is tokenized once; what it keeps is the
// catalog, the page tree nodes, the outline root, the document information and the font
// dictionaries (at most MAX_FONT_OBJECTS), never the structure tree or any stream.
import { fontFacts, FONT_KEYS, FONT_WHOLE_KEYS, isFontObject, type FontFact } from "./fonts";
import { isPageTreeObject, PAGE_TREE_KEYS, pageCount } from "./page-count";
import { type IndirectObject, PdfScanner, type ScanResult, UnreadablePdf } from "./scanner";
import { catalogFacts, countStructure, isStructureObject, noStructure, STRUCTURE_KEYS, STRUCTURE_WHOLE_KEYS, type StructureCounts } from "./structure";
import { isDict, isRef } from "./values";

/** Font dictionaries and descriptors kept: a page can make Chrome write many, each a few hundred bytes. */
export const MAX_FONT_OBJECTS = 2_000;

/** Longest name or string kept: a title or an /Alt text (the report keeps 500 characters, UTF-16 takes two bytes each). */
const MAX_TOKEN_BYTES = 2048;

export interface DocumentFacts {
	fonts: FontFact[];
	/** More font objects than MAX_FONT_OBJECTS: the list is not complete. */
	fontsCut: boolean;
	tagged: boolean;
	/** The file is encrypted: its strings (the title, the language) are ciphertext, so they are not read (null). */
	encrypted: boolean;
	lang: string | null;
	title: string | null;
	headings: number;
	outlineEntries: number;
	figures: number;
	figuresWithoutAlt: number;
}

/** The facts, or why they could not be read (the page count may still be known). */
export type FactsResult = { ok: true; facts: DocumentFacts } | { ok: false; reason: string };

export class DocumentScan {
	private readonly structure: StructureCounts = noStructure();
	private fontObjects = 0;
	private readonly scanner = new PdfScanner({
		keys: [...new Set([...PAGE_TREE_KEYS, ...FONT_KEYS, ...STRUCTURE_KEYS])],
		whole: [...FONT_WHOLE_KEYS, ...STRUCTURE_WHOLE_KEYS],
		keep: (object) => this.keep(object),
		maxTokenBytes: MAX_TOKEN_BYTES,
	});
	private result: ScanResult | null = null;

	private keep(object: IndirectObject): boolean {
		countStructure(this.structure, object);
		if (isPageTreeObject(object) || isStructureObject(object)) return true;
		if (!isFontObject(object)) return false;
		this.fontObjects++;
		return this.fontObjects <= MAX_FONT_OBJECTS;
	}

	feed(chunk: Uint8Array): void {
		this.scanner.feed(chunk);
	}

	private scan(): ScanResult {
		this.result ??= this.scanner.end();
		return this.result;
	}

	/** Once the whole PDF was fed: its page count, or UnreadablePdf. */
	pages(): number {
		return pageCount(this.scan());
	}

	/** Once the whole PDF was fed: its fonts and accessibility facts; never throws. */
	facts(): FactsResult {
		try {
			const scan = this.scan();
			const root = scan.trailer().get("Root");
			const catalog = isRef(root) ? scan.resolve(root).value : null;
			if (!isDict(catalog)) throw new UnreadablePdf("the trailer's /Root is not a dictionary");
			const fonts = fontFacts(scan, scan.current());
			const encrypted = scan.trailer().get("Encrypt") !== undefined;
			const catalogRead = encrypted ? { ...catalogFacts(scan, catalog), lang: null, title: null } : catalogFacts(scan, catalog);
			return { ok: true, facts: { fonts, fontsCut: this.fontObjects > MAX_FONT_OBJECTS, encrypted, ...catalogRead, ...this.structure } };
		} catch (err) {
			if (err instanceof UnreadablePdf) return { ok: false, reason: err.message };
			throw err;
		}
	}
}
