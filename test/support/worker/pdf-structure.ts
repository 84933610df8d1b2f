// Worker side: runs inside workerd, imported by the tests.
// A PDF's document structure as qpdf --json shows it (pdf-tools.ts): the catalog, the structure
// tree walked from its root, the parent tree, the pages' /StructParents and where named
// destinations lead. qpdf writes a reference as "N G R", a name as "/Name", a text string as "u:text".
import type { QpdfJson } from "./pdf-tools";

type Json = unknown;
export type JsonDict = Record<string, Json>;

const isRef = (v: Json): v is string => typeof v === "string" && /^\d+ \d+ R$/.test(v);
const isDict = (v: Json): v is JsonDict => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads a qpdf --json answer: objects by reference, resolved. */
export class PdfObjects {
	constructor(readonly json: QpdfJson) {}

	/** `value` itself, or the object it refers to (a stream's dictionary for a stream). */
	resolve(value: Json): Json {
		if (!isRef(value)) return value;
		const object = this.json.qpdf[1][`obj:${value}`];
		return object?.value ?? object?.stream?.dict ?? null;
	}

	dict(value: Json): JsonDict {
		const resolved = this.resolve(value);
		if (!isDict(resolved)) throw new Error(`not a dictionary: ${JSON.stringify(value)}`);
		return resolved;
	}

	get catalog(): JsonDict {
		return this.dict(this.dict(this.json.qpdf[1].trailer?.value)["/Root"]);
	}

	/** The page (from 1) a page object reference is. */
	pageOf(ref: Json): number | undefined {
		return this.json.pages.find((p) => p.object === ref)?.pageposfrom1;
	}

	/** Structure elements by type (/S), walked from the root's /K (each element once). */
	structureCounts(): Record<string, number> {
		const counts: Record<string, number> = {};
		const seen = new Set<Json>();
		const visit = (k: Json): void => {
			if (Array.isArray(k)) {
				for (const kid of k) visit(kid);
				return;
			}
			if (seen.has(k)) return;
			seen.add(k);
			const elem = this.resolve(k);
			if (!isDict(elem) || (elem["/Type"] !== undefined && elem["/Type"] !== "/StructElem") || elem["/S"] === undefined) return;
			const role = String(elem["/S"]);
			counts[role] = (counts[role] ?? 0) + 1;
			visit(elem["/K"]);
		};
		visit(this.dict(this.catalog["/StructTreeRoot"])["/K"]);
		return counts;
	}

	/** The parent tree's entries (its /Nums, through /Kids), key → value. */
	parentTree(): Map<number, Json> {
		const entries = new Map<number, Json>();
		const walk = (node: JsonDict): void => {
			const nums = node["/Nums"];
			if (Array.isArray(nums)) for (let i = 0; i + 1 < nums.length; i += 2) entries.set(Number(nums[i]), nums[i + 1]);
			const kids = node["/Kids"];
			if (Array.isArray(kids)) for (const kid of kids) walk(this.dict(kid));
		};
		walk(this.dict(this.dict(this.catalog["/StructTreeRoot"])["/ParentTree"]));
		return entries;
	}

	/** Each page's dictionary, in page order. */
	pages(): JsonDict[] {
		return this.json.pages.map((p) => this.dict(p.object));
	}

	/** The page a destination leads to: an explicit [page /XYZ …] or a name looked up in the catalog's /Dests. */
	destinationPage(dest: Json): number | undefined {
		const resolved = this.resolve(dest);
		if (Array.isArray(resolved)) return this.pageOf(resolved[0]);
		if (typeof resolved !== "string") return undefined;
		const named = this.dict(this.catalog["/Dests"])[resolved];
		const target = this.resolve(named);
		return this.destinationPage(isDict(target) ? target["/D"] : target);
	}
}
