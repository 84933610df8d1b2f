// Named destinations across merged parts. Chrome points an internal link (<a href="#id">) at a
// named destination (/Dest /id) and lists the names in the catalog's /Dests; a name tree under
// /Names /Dests does the same for string names. The merged document gets one of each, holding every
// part's names. Parts are printed alone, so two parts may both name an element "intro": the later
// part's name is renamed ("intro-part2"), in its /Dests and in its own links and outline items, so
// a link never lands in another part.
import { PDFDict, PDFName, type PDFDocument, type PDFObject, type PDFObjectCopier } from "pdf-lib";
import { dictAt, freeName, type NamedValue, nameTree, nameTreeEntries, stringKey, textOf } from "./trees";

/** What a destination (a link's /Dest, a GoTo action's /D, an outline item's /Dest) becomes in the merged document. */
export type Rename = (dest: PDFObject | undefined) => PDFObject | undefined;

/** Renames the destination of a link annotation, a GoTo action or an outline item, in place. */
export function renameIn(dict: PDFDict, rename: Rename): void {
	const dest = rename(dict.get(PDFName.of("Dest")));
	if (dest) dict.set(PDFName.of("Dest"), dest);
	const action = dictAt(dict, "A");
	if (!action || action.lookup(PDFName.of("S")) !== PDFName.of("GoTo")) return;
	const target = rename(action.get(PDFName.of("D")));
	if (target) action.set(PDFName.of("D"), target);
}

export class Destinations {
	/** The catalog's /Dests: name → destination (copied). */
	private readonly byName = new Map<string, PDFObject>();
	/** The /Names /Dests tree: string → key and destination (copied). */
	private readonly byString = new Map<string, NamedValue>();

	/**
	 * Takes part `index`'s named destinations into the merged document, renaming those an earlier part
	 * took, in the part's links too (so before its pages are copied). Returns the renaming, for its outline.
	 */
	add(src: PDFDocument, index: number, copier: PDFObjectCopier): Rename {
		const names = new Map<string, PDFName>();
		const strings = new Map<string, PDFObject>();
		for (const [key, value] of dictAt(src.catalog, "Dests")?.entries() ?? []) {
			const name = freeName(key.decodeText(), index, this.byName);
			if (name !== key.decodeText()) names.set(key.decodeText(), PDFName.of(name));
			this.byName.set(name, copier.copy(value));
		}
		const tree = dictAt(src.catalog, "Names");
		const stringTree = tree && dictAt(tree, "Dests");
		for (const { text, key, value } of stringTree ? nameTreeEntries(stringTree) : []) {
			const name = freeName(text, index, this.byString);
			const renamed = name === text ? null : stringKey(name);
			if (renamed) strings.set(text, renamed);
			this.byString.set(name, { key: renamed ?? copier.copy(key), value: copier.copy(value) });
		}
		const rename: Rename = (dest) => {
			if (dest instanceof PDFName) return names.get(dest.decodeText());
			const text = textOf(dest);
			return text === null ? undefined : strings.get(text);
		};
		if (names.size > 0 || strings.size > 0) renameLinks(src, rename);
		return rename;
	}

	/** Writes the merged /Dests and /Names /Dests into `doc`'s catalog. */
	install(doc: PDFDocument): void {
		const { context, catalog } = doc;
		if (this.byName.size > 0) {
			const dests = PDFDict.withContext(context);
			for (const [name, value] of this.byName) dests.set(PDFName.of(name), value);
			catalog.set(PDFName.of("Dests"), context.register(dests));
		}
		if (this.byString.size > 0) {
			const names = dictAt(catalog, "Names") ?? PDFDict.withContext(context);
			names.set(PDFName.of("Dests"), context.register(nameTree(context, this.byString)));
			if (!catalog.has(PDFName.of("Names"))) catalog.set(PDFName.of("Names"), context.register(names));
		}
	}
}

/** Renames the destinations of the part's link annotations, in the part itself. */
function renameLinks(src: PDFDocument, rename: Rename): void {
	for (const page of src.getPages()) {
		const annots = page.node.Annots();
		for (let i = 0; i < (annots?.size() ?? 0); i++) {
			const annot = annots?.lookup(i);
			if (annot instanceof PDFDict) renameIn(annot, rename);
		}
	}
}
