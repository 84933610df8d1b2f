// Merging printed parts into one document that keeps what makes it navigable and accessible: each
// part's pages, its structure tree (structure.ts), its outline (outline.ts) and its named
// destinations (destinations.ts). Pure pdf-lib: no browser, no storage.
//
// One PDFObjectCopier per part copies everything of that part, so a page, an annotation or a
// structure element reached twice (a page from the page tree and from an element's /Pg, a link from
// the page's /Annots and from an element's /Obj) becomes one object. pdf-lib's copyPages would not
// do: it registers each page anew, unknown to a copier used for the structure tree afterwards.
import { PDFDocument, PDFName, PDFObjectCopier, PDFPage, PDFPageLeaf } from "pdf-lib";
import { Destinations } from "./destinations";
import { Outline } from "./outline";
import { Structure } from "./structure";
import { textOf } from "./trees";

export class DocumentMerge {
	private readonly structure: Structure;
	private readonly outline: Outline;
	private readonly destinations = new Destinations();
	private parts = 0;
	private firstLang: string | null = null;

	private constructor(readonly doc: PDFDocument) {
		this.structure = new Structure(doc);
		this.outline = new Outline(doc);
	}

	static async create(): Promise<DocumentMerge> {
		return new DocumentMerge(await PDFDocument.create());
	}

	/** The first part's own /Lang (its <html lang>), which the merged document takes. */
	get lang(): string | null {
		return this.firstLang;
	}

	/** Appends a part's PDF: its pages at the end, its structure, outline and named destinations with them. */
	async append(bytes: Uint8Array): Promise<void> {
		const src = await PDFDocument.load(bytes, { updateMetadata: false });
		const index = this.parts++;
		if (index === 0) this.firstLang = textOf(src.catalog.lookup(PDFName.of("Lang")));
		// Everything that rewrites the part (keys, renamed destinations) happens before its pages are copied.
		const root = this.structure.prepare(src);
		const copier = PDFObjectCopier.for(src.context, this.doc.context);
		const rename = this.destinations.add(src, index, copier);
		for (const page of src.getPages()) {
			const ref = copier.copy(page.ref);
			const leaf = this.doc.context.lookup(ref);
			if (!(leaf instanceof PDFPageLeaf)) throw new Error("a page did not copy as a page");
			this.doc.addPage(PDFPage.of(leaf, ref, this.doc));
		}
		if (root) this.structure.add(src, root, copier, index);
		this.outline.add(src, copier, rename, root !== null);
	}

	/** The merged document, its structure tree, outline and named destinations written. */
	finish(): PDFDocument {
		this.structure.install();
		if (!this.structure.tagged) this.outline.withoutStructure();
		this.outline.install();
		this.destinations.install(this.doc);
		return this.doc;
	}
}
