// One structure tree over every merged part (ISO 32000-1 §14.7). Each part printed by Chrome has
// its own /StructTreeRoot: a /K of top-level elements (Chrome's one /Document), a /ParentTree
// number tree from the keys its pages (/StructParents) and annotations (/StructParent) carry to
// their structure elements, and /ParentTreeNextKey. The merged root lists every part's top-level
// elements in order, re-parented to it, and holds one parent tree in which each part's keys are
// shifted past the previous parts' (its pages' and annotations' keys shifted by the same offset).
// /RoleMap and /ClassMap are merged (an earlier part's entry wins a name both define), /IDTree too
// (a later part's colliding ID is renamed, as named destinations are).
//
// Tagged means every page: should a part come without a structure tree (`tagged: false`), the
// merged document is not tagged at all, since a tree that leaves pages out makes a screen reader that
// follows it skip them. The trees already copied are then dropped again.
import { PDFDict, PDFName, PDFNumber, type PDFDocument, type PDFObject, type PDFObjectCopier, PDFRef, PDFStream } from "pdf-lib";
import { arrayAt, dictAt, freeName, type NamedValue, nameTree, nameTreeEntries, numberAt, numberTreeEntries, stringKey } from "./trees";

const KEYS = [PDFName.of("StructParents"), PDFName.of("StructParent")];

/** A dictionary's own entries, whether it is a dictionary or a stream's. */
function dictOf(value: PDFObject): PDFDict | null {
	return value instanceof PDFDict ? value : value instanceof PDFStream ? value.dict : null;
}

/** Adds `offset` to every parent-tree key the part's pages, annotations and forms carry, in the part. */
function shiftKeys(src: PDFDocument, offset: number): void {
	if (offset === 0) return;
	for (const [, value] of src.context.enumerateIndirectObjects()) {
		const dict = dictOf(value);
		if (!dict) continue;
		for (const key of KEYS) {
			const own = dict.get(key);
			if (own instanceof PDFNumber) dict.set(key, PDFNumber.of(own.asNumber() + offset));
		}
	}
}

/** The root's /K as a list (one element, or an array of them). */
function kidsOf(root: PDFDict): PDFObject[] {
	const k = root.get(PDFName.of("K"));
	if (k === undefined) return [];
	const array = arrayAt(root, "K");
	return array ? array.asArray() : [k];
}

export class Structure {
	private rootRef: PDFRef | null = null;
	private readonly kids: PDFObject[] = [];
	/** The merged parent tree's /Nums: key, value, key, value, … in key order. */
	private readonly nums: PDFObject[] = [];
	private nextKey = 0;
	private readonly roleMap = new Map<string, PDFObject>();
	private readonly classMap = new Map<string, PDFObject>();
	private readonly ids = new Map<string, NamedValue>();
	/** Object numbers (from, to] the copied trees took in the merged document. */
	private readonly copied: Array<[number, number]> = [];
	/** False once a part without a structure tree came: the merged document is not tagged. */
	private everyPart = true;

	constructor(private readonly doc: PDFDocument) {}

	/** Whether every part so far had a structure tree. */
	get tagged(): boolean {
		return this.everyPart;
	}

	/**
	 * Before the part's pages are copied: its structure tree root, its keys shifted past the earlier
	 * parts'; null when it has none (and from then on the document is untagged).
	 */
	prepare(src: PDFDocument): PDFDict | null {
		if (!this.everyPart) return null;
		const root = dictAt(src.catalog, "StructTreeRoot");
		if (!root) {
			this.everyPart = false;
			return null;
		}
		shiftKeys(src, this.nextKey);
		return root;
	}

	/** After the part's pages are copied with `copier`: its tree joins the merged one. */
	add(src: PDFDocument, root: PDFDict, copier: PDFObjectCopier, index: number): void {
		const { context } = this.doc;
		const from = context.largestObjectNumber;
		this.rootRef ??= context.nextRef();
		const kids = kidsOf(root);
		// Detached first, so that no copy follows a /P up to the part's own root (and its whole tree).
		for (const kid of kids) {
			const elem = src.context.lookup(kid);
			if (elem instanceof PDFDict) elem.delete(PDFName.of("P"));
		}
		this.addIds(src, root, copier, index);
		for (const kid of kids) {
			const copy = copier.copy(kid);
			const elem = copy instanceof PDFRef ? context.lookup(copy) : copy;
			if (elem instanceof PDFDict) elem.set(PDFName.of("P"), this.rootRef);
			this.kids.push(copy);
		}
		this.addParents(root, copier);
		mergeMap(dictAt(root, "RoleMap"), this.roleMap, copier);
		mergeMap(dictAt(root, "ClassMap"), this.classMap, copier);
		this.copied.push([from, context.largestObjectNumber]);
	}

	/** Writes the merged root and /MarkInfo into the catalog; or, with an untagged part, takes structure out. */
	install(): void {
		if (!this.everyPart) {
			this.drop();
			return;
		}
		if (!this.rootRef) return;
		const { context, catalog } = this.doc;
		const root = context.obj({ Type: "StructTreeRoot", ParentTreeNextKey: this.nextKey });
		root.set(PDFName.of("K"), context.obj(this.kids));
		root.set(PDFName.of("ParentTree"), context.register(context.obj({ Nums: this.nums })));
		if (this.roleMap.size > 0) root.set(PDFName.of("RoleMap"), mapDict(this.doc, this.roleMap));
		if (this.classMap.size > 0) root.set(PDFName.of("ClassMap"), mapDict(this.doc, this.classMap));
		if (this.ids.size > 0) root.set(PDFName.of("IDTree"), context.register(nameTree(context, this.ids)));
		context.assign(this.rootRef, root);
		catalog.set(PDFName.of("StructTreeRoot"), this.rootRef);
		catalog.set(PDFName.of("MarkInfo"), context.obj({ Marked: true }));
	}

	/** The part's parent tree, its keys shifted by the parts before it. */
	private addParents(root: PDFDict, copier: PDFObjectCopier): void {
		const offset = this.nextKey;
		const parentTree = dictAt(root, "ParentTree");
		const entries = parentTree ? numberTreeEntries(parentTree) : [];
		for (const { key, value } of entries) this.nums.push(PDFNumber.of(key + offset), copier.copy(value));
		const past = (entries.at(-1)?.key ?? -1) + 1;
		this.nextKey += Math.max(past, numberAt(root, "ParentTreeNextKey") ?? 0);
	}

	/** The part's element IDs; one an earlier part took is renamed, on the element too. */
	private addIds(src: PDFDocument, root: PDFDict, copier: PDFObjectCopier, index: number): void {
		const tree = dictAt(root, "IDTree");
		for (const { text, key, value } of tree ? nameTreeEntries(tree) : []) {
			const name = freeName(text, index, this.ids);
			const renamed = name === text ? null : stringKey(name);
			const elem = src.context.lookup(value);
			if (renamed && elem instanceof PDFDict) elem.set(PDFName.of("ID"), renamed);
			this.ids.set(name, { key: renamed ?? copier.copy(key), value: copier.copy(value) });
		}
	}

	/** An untagged document: no tree, no keys on pages and annotations, the copied trees deleted. */
	private drop(): void {
		const { context } = this.doc;
		for (const [from, to] of this.copied) for (let n = from + 1; n <= to; n++) context.delete(PDFRef.of(n));
		for (const page of this.doc.getPages()) {
			page.node.delete(PDFName.of("StructParents"));
			const annots = page.node.Annots();
			for (let i = 0; i < (annots?.size() ?? 0); i++) {
				const annot = annots?.lookup(i);
				if (annot instanceof PDFDict) annot.delete(PDFName.of("StructParent"));
			}
		}
	}
}

/** Adds a part's /RoleMap or /ClassMap entries that no earlier part defined. */
function mergeMap(map: PDFDict | undefined, into: Map<string, PDFObject>, copier: PDFObjectCopier): void {
	for (const [key, value] of map?.entries() ?? []) if (!into.has(key.decodeText())) into.set(key.decodeText(), copier.copy(value));
}

function mapDict(doc: PDFDocument, entries: ReadonlyMap<string, PDFObject>): PDFDict {
	const dict = PDFDict.withContext(doc.context);
	for (const [name, value] of entries) dict.set(PDFName.of(name), value);
	return dict;
}
