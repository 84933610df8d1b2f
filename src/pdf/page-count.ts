// A PDF's page count as its page tree states it (ISO 32000-1 §7.7.3): the newest trailer's /Root
// names the catalog, the catalog's /Pages names the root of the page tree, and that node's /Count
// is the number of pages. Nothing a page controls can change it: alt text, outline titles and link
// targets are strings, and stream data is passed over by its length, so neither is read as structure.
// Fed chunk by chunk as the PDF streams to storage; it keeps only the catalog and page tree nodes.
import { type IndirectObject, PdfScanner, type ScanResult, UnreadablePdf } from "./scanner";
import { isCount, isDict, isRef, nameOf } from "./values";

/** The only entries the count needs: everything else in every object is read and let go. */
export const PAGE_TREE_KEYS = ["Type", "Count", "Pages"];

/** A catalog (it names a page tree) or a page tree node (it counts pages). */
export function isPageTreeObject({ value }: IndirectObject): boolean {
	if (!isDict(value)) return false;
	const type = nameOf(value.get("Type"));
	return (type === "Catalog" && isRef(value.get("Pages"))) || (type === "Pages" && isCount(value.get("Count")));
}

/** The page count of a scanned PDF; throws UnreadablePdf saying which step of the page tree was missing. */
export function pageCount(scan: ScanResult): number {
	const root = scan.trailer().get("Root");
	if (!isRef(root)) throw new UnreadablePdf("the trailer has no /Root reference");
	const catalog = scan.resolve(root).value;
	const pages = isDict(catalog) ? catalog.get("Pages") : undefined;
	if (!isDict(catalog) || nameOf(catalog.get("Type")) !== "Catalog" || !isRef(pages)) {
		throw new UnreadablePdf("/Root is not a catalog naming a page tree");
	}
	const tree = scan.resolve(pages).value;
	const count = isDict(tree) ? tree.get("Count") : undefined;
	if (!isDict(tree) || nameOf(tree.get("Type")) !== "Pages" || !isCount(count)) {
		throw new UnreadablePdf("the catalog's /Pages is not a page tree node with a /Count");
	}
	return count;
}

export class PageCounter {
	private readonly scanner = new PdfScanner({ keys: PAGE_TREE_KEYS, keep: isPageTreeObject });

	feed(chunk: Uint8Array): void {
		this.scanner.feed(chunk);
	}

	/** Once the whole PDF was fed: its page count, or UnreadablePdf. */
	count(): number {
		return pageCount(this.scanner.end());
	}
}
