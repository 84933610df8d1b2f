// Sizes of strings and of what values become as text, measured without building that text.
import { toValue } from "liquidjs";

/** UTF-8 bytes of `s` exactly as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes). */
export function utf8Bytes(s: string): number {
	let bytes = s.length;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c < 0x80) continue;
		if (c < 0x800) bytes += 1;
		else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
			bytes += 2; // 4 bytes for the pair's 2 units
			i++;
		} else bytes += 2;
	}
	return bytes;
}

/** Non-overlapping occurrences of `part` in `s`, as `split` counts them (the empty part: one per unit). */
export function occurrences(s: string, part: string): number {
	if (part === "") return s.length;
	let count = 0;
	for (let at = s.indexOf(part); at !== -1; at = s.indexOf(part, at + part.length)) count++;
	return count;
}

/** How many of `s`'s units are in `chars`. */
export function countOf(s: string, chars: string): number {
	let count = 0;
	for (let i = 0; i < s.length; i++) if (chars.includes(s[i]!)) count++;
	return count;
}

/** Units below 0x80 in `s`. */
export function asciiUnits(s: string): number {
	let count = 0;
	for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x80) count++;
	return count;
}

/** ASCII letters and digits in `s`. */
export function alphanumerics(s: string): number {
	let count = 0;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i) | 0x20; // folds upper case onto lower case; digits stay apart
		if ((c >= 0x61 && c <= 0x7a) || (s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39)) count++;
	}
	return count;
}

/**
 * An upper bound of the UTF-8 bytes `value` becomes as text (LiquidJS's stringify, or String() with
 * commas for nested arrays), stopping as soon as it passes `limit`. `visit` is told of every array
 * element looked at, so a wide or deeply shared array costs work, not time nobody counts.
 */
export function textBytes(value: unknown, limit: number, visit: (elements: number) => void, separator = 0): number {
	const v = toValue(value);
	if (typeof v === "string") return utf8Bytes(v);
	if (v === null || v === undefined) return 0;
	if (!Array.isArray(v)) return utf8Bytes(String(v));
	visit(v.length);
	let total = Math.max(v.length - 1, 0) * separator;
	for (const element of v) {
		if (total > limit) break;
		total += textBytes(element, limit - total, visit, 1);
	}
	return total;
}

/** The text LiquidJS writes for `value` (its stringify), for a value already measured. */
export function textOf(value: unknown): string {
	const v = toValue(value);
	if (typeof v === "string") return v;
	if (v === null || v === undefined) return "";
	if (Array.isArray(v)) return v.map(textOf).join("");
	return String(v);
}
