// Reading PDF number trees and name trees (ISO 32000-1 §7.9.6, §7.9.7): the structure tree's
// /ParentTree and /IDTree and the named destinations are trees of /Kids ending in /Nums or /Names
// arrays of key-value pairs. Small readers over pdf-lib's objects, bounded in depth and guarded
// against cycles (a malformed tree is read as far as it goes, never looped).
import { PDFArray, type PDFContext, PDFDict, PDFHexString, PDFName, PDFNumber, type PDFObject, PDFString } from "pdf-lib";

/** Deeper than any tree a printer writes (Chrome writes one level). */
const MAX_DEPTH = 32;

/** A tree's leaf pair: the key as written, and the value unresolved (a reference stays one, for the copier). */
export interface TreeEntry {
	key: PDFObject;
	value: PDFObject;
}

/** `dict[key]` resolved, when it is a dictionary. */
export function dictAt(dict: PDFDict, key: string): PDFDict | undefined {
	const value = dict.lookup(PDFName.of(key));
	return value instanceof PDFDict ? value : undefined;
}

/** `dict[key]` resolved, when it is an array. */
export function arrayAt(dict: PDFDict, key: string): PDFArray | undefined {
	const value = dict.lookup(PDFName.of(key));
	return value instanceof PDFArray ? value : undefined;
}

/** `dict[key]` resolved, when it is a number. */
export function numberAt(dict: PDFDict, key: string): number | undefined {
	const value = dict.lookup(PDFName.of(key));
	return value instanceof PDFNumber ? value.asNumber() : undefined;
}

/** A text string's text (literal or hex), else null. */
export function textOf(value: PDFObject | undefined): string | null {
	return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : null;
}

function walk(node: PDFDict, leaf: "Nums" | "Names", out: TreeEntry[], depth: number, seen: Set<PDFDict>): void {
	if (depth > MAX_DEPTH || seen.has(node)) return;
	seen.add(node);
	const pairs = arrayAt(node, leaf);
	for (let i = 0; pairs && i + 1 < pairs.size(); i += 2) {
		const [key, value] = [pairs.lookup(i), pairs.get(i + 1)];
		if (key && value) out.push({ key, value });
	}
	const kids = arrayAt(node, "Kids");
	if (!kids) return;
	for (let i = 0; i < kids.size(); i++) {
		const kid = kids.lookup(i);
		if (kid instanceof PDFDict) walk(kid, leaf, out, depth + 1, seen);
	}
}

/** A number tree's entries with their keys, in key order. */
export function numberTreeEntries(root: PDFDict): Array<{ key: number; value: PDFObject }> {
	const out: TreeEntry[] = [];
	walk(root, "Nums", out, 0, new Set());
	return out.flatMap(({ key, value }) => (key instanceof PDFNumber ? [{ key: key.asNumber(), value }] : [])).sort((a, b) => a.key - b.key);
}

/** A name tree's entries: each key's text, the key as written, and its value. */
export function nameTreeEntries(root: PDFDict): Array<{ text: string; key: PDFObject; value: PDFObject }> {
	const out: TreeEntry[] = [];
	walk(root, "Names", out, 0, new Set());
	return out.flatMap(({ key, value }) => {
		const text = textOf(key);
		return text === null ? [] : [{ text, key, value }];
	});
}

/** A one-node name tree of `entries`, in key order (the order a name tree requires). */
export function nameTree(context: PDFContext, entries: ReadonlyMap<string, NamedValue>): PDFDict {
	const sorted = [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	const pairs = PDFArray.withContext(context);
	for (const [, { key, value }] of sorted) {
		pairs.push(key);
		pairs.push(value);
	}
	const dict = PDFDict.withContext(context);
	dict.set(PDFName.of("Names"), pairs);
	return dict;
}

/** A name tree's value under its key as written. */
export interface NamedValue {
	key: PDFObject;
	value: PDFObject;
}

/** `name`, or the first of name-partN, name-partN-2, … that no earlier part's name took (part `index`, from 0). */
export function freeName(name: string, index: number, taken: ReadonlyMap<string, unknown>): string {
	if (!taken.has(name)) return name;
	const base = `${name}-part${index + 1}`;
	let candidate = base;
	for (let k = 2; taken.has(candidate); k++) candidate = `${base}-${k}`;
	return candidate;
}

/** A renamed string key, written the one way, so a renamed reference and its key are the same bytes. */
export const stringKey = (text: string): PDFHexString => PDFHexString.fromText(text);
