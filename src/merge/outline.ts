// The merged document's outline (bookmarks): every part's items, in part order, under one root.
// Items are rebuilt rather than copied whole: an item links to its parent, children and siblings
// (/Parent, /First, /Last, /Next, /Prev), and copying those links would drag in the part's own
// outline root. Everything else an item holds (its title, its destination, which the part's copier
// maps to the copied page, its /SE structure element) is copied as it is.
import { PDFDict, PDFName, PDFNumber, type PDFDocument, type PDFObjectCopier, type PDFRef } from "pdf-lib";
import { type Rename, renameIn } from "./destinations";
import { dictAt, numberAt } from "./trees";

/** The links between items, rebuilt in the merged outline. */
const LINKS = new Set(["Parent", "First", "Last", "Next", "Prev"]);
/** Deeper than any outline of headings (h1-h6). */
const MAX_DEPTH = 32;

/** An item's entries, the copier and renaming the part's items are copied with. */
interface PartCopy {
	copier: PDFObjectCopier;
	rename: Rename;
	/** Whether the item's /SE (its structure element) comes along: only when the part's structure tree does. */
	withStructure: boolean;
	seen: Set<PDFDict>;
}

export class Outline {
	private rootRef: PDFRef | null = null;
	/** The top-level items, over all parts. */
	private readonly top: PDFRef[] = [];
	/** Every copied item, so /SE can be taken off should the document end up untagged. */
	private readonly items: PDFDict[] = [];

	constructor(private readonly doc: PDFDocument) {}

	/** Appends part's outline items; `withStructure` keeps their /SE. */
	add(src: PDFDocument, copier: PDFObjectCopier, rename: Rename, withStructure: boolean): void {
		const root = dictAt(src.catalog, "Outlines");
		if (!root) return;
		this.rootRef ??= this.doc.context.nextRef();
		this.top.push(...this.copyLevel(dictAt(root, "First"), this.rootRef, { copier, rename, withStructure, seen: new Set() }, 0));
	}

	/** Takes every item's /SE off: the structure elements they name are not in the document. */
	withoutStructure(): void {
		for (const item of this.items) item.delete(PDFName.of("SE"));
	}

	/** Writes the outline root into `doc`'s catalog, when some part had an outline. */
	install(): void {
		if (!this.rootRef) return;
		const { context, catalog } = this.doc;
		this.linkSiblings(this.top);
		const root = PDFDict.withContext(context);
		root.set(PDFName.of("Type"), PDFName.of("Outlines"));
		const [first, last] = [this.top[0], this.top.at(-1)];
		if (first && last) {
			root.set(PDFName.of("First"), first);
			root.set(PDFName.of("Last"), last);
		}
		root.set(PDFName.of("Count"), PDFNumber.of(this.visibleCount()));
		context.assign(this.rootRef, root);
		catalog.set(PDFName.of("Outlines"), this.rootRef);
	}

	/** The root's /Count: the entries shown, each top-level item and the open descendants its own /Count says. */
	private visibleCount(): number {
		let count = 0;
		for (const ref of this.top) {
			const item = this.doc.context.lookup(ref);
			const own = item instanceof PDFDict ? (numberAt(item, "Count") ?? 0) : 0;
			count += 1 + Math.max(0, own);
		}
		return count;
	}

	/** Copies the items from `first` on along /Next, each with its children, under `parent`; their refs in order. */
	private copyLevel(first: PDFDict | undefined, parent: PDFRef, part: PartCopy, depth: number): PDFRef[] {
		const refs: PDFRef[] = [];
		let node = first;
		while (node && !part.seen.has(node)) {
			part.seen.add(node);
			refs.push(this.copyItem(node, parent, part, depth));
			node = dictAt(node, "Next");
		}
		this.linkSiblings(refs);
		return refs;
	}

	private copyItem(node: PDFDict, parent: PDFRef, part: PartCopy, depth: number): PDFRef {
		const ref = this.doc.context.nextRef();
		renameIn(node, part.rename);
		const item = PDFDict.withContext(this.doc.context);
		for (const [key, value] of node.entries()) {
			const name = key.decodeText();
			if (LINKS.has(name) || (name === "SE" && !part.withStructure)) continue;
			item.set(key, part.copier.copy(value));
		}
		item.set(PDFName.of("Parent"), parent);
		const kids = depth < MAX_DEPTH ? this.copyLevel(dictAt(node, "First"), ref, part, depth + 1) : [];
		const [first, last] = [kids[0], kids.at(-1)];
		if (first && last) {
			item.set(PDFName.of("First"), first);
			item.set(PDFName.of("Last"), last);
		} else item.delete(PDFName.of("Count"));
		this.doc.context.assign(ref, item);
		this.items.push(item);
		return ref;
	}

	private linkSiblings(refs: readonly PDFRef[]): void {
		for (const [i, ref] of refs.entries()) {
			const item = this.doc.context.lookup(ref);
			if (!(item instanceof PDFDict)) continue;
			const [prev, next] = [refs[i - 1], refs[i + 1]];
			if (prev) item.set(PDFName.of("Prev"), prev);
			if (next) item.set(PDFName.of("Next"), next);
		}
	}
}
