// Every filter and operator, wrapped to count: each call is work, each string it makes is built
// (checked before the filters that can grow a string far, and measured after every filter), each
// array it returns is items. LiquidJS's own `memoryLimit` counts only some of this, so it is not relied on.
import type { Context, FilterImplOptions, Liquid, Operators } from "liquidjs";
import type { RenderBudget } from "./budget";
import { alphanumerics, asciiUnits, countOf, occurrences, textBytes, textOf, utf8Bytes } from "./text-size";

type FilterHandler = Extract<FilterImplOptions, (...args: never[]) => unknown>;
type FilterThis = ThisParameterType<FilterHandler>;

/** Walking an array costs a step per 16 elements looked at. */
const walk = (budget: RenderBudget) => (elements: number) => budget.step(1 + (elements >>> 4));

/**
 * An array about to be turned into text (by a filter, a comparison) is measured first: it may hold one
 * big string many times over, or itself nested many times, and its text must not pass the string budget.
 */
function checkText(budget: RenderBudget, value: unknown): void {
	if (!Array.isArray(value)) return;
	budget.buildString(textBytes(value, budget.limits.stringBytes, walk(budget)), 0);
}

/** Work for looking at a value: a step per KiB of a string, per 4 elements of an array (sorting, `where`). */
function sizeSteps(value: unknown): number {
	if (typeof value === "string") return value.length >>> 10;
	if (Array.isArray(value)) return value.length >>> 2;
	return 0;
}

/** Upper bounds, in UTF-8 bytes, of the string a filter is about to build from its (measured) inputs. */
type Bound = (budget: RenderBudget, text: (v: unknown) => string, value: unknown, args: unknown[]) => number;

const escapeBound: Bound = (_b, text, value) => {
	const s = text(value);
	return utf8Bytes(s) + 4 * countOf(s, "&<>\"'"); // "&" becomes "&amp;": at most 4 more per character
};

/** Percent-encoding keeps letters and digits and turns any other byte into at most "%XX". */
const percentBound: Bound = (_b, text, value) => {
	const s = text(value);
	return 3 * utf8Bytes(s) - 2 * alphanumerics(s);
};

/** Filters that split a string on the way: the pieces are array items, counted before they are made. */
const SPLITS: Record<string, (text: (v: unknown) => string, value: unknown, args: unknown[]) => number> = {
	split: (text, value, [part]) => occurrences(text(value), text(part)) + 1,
	remove: (text, value, [part]) => occurrences(text(value), text(part)) + 1,
	replace: (text, value, [pattern]) => occurrences(text(value), text(pattern)) + 1,
};

const BOUNDS: Record<string, Bound> = {
	append: (_b, text, value, [arg]) => utf8Bytes(text(value)) + utf8Bytes(text(arg)),
	prepend: (_b, text, value, [arg]) => utf8Bytes(text(value)) + utf8Bytes(text(arg)),
	replace: (_b, text, value, [pattern, replacement]) => {
		const s = text(value);
		const p = text(pattern);
		return utf8Bytes(s) + occurrences(s, p) * Math.max(0, utf8Bytes(text(replacement)) - utf8Bytes(p));
	},
	replace_first: (_b, text, value, [, replacement]) => utf8Bytes(text(value)) + utf8Bytes(text(replacement)),
	replace_last: (_b, text, value, [, replacement]) => utf8Bytes(text(value)) + utf8Bytes(text(replacement)),
	join: (budget, text, value, [separator]) =>
		textBytes(value, budget.limits.stringBytes, walk(budget), separator === undefined || separator === null ? 1 : utf8Bytes(text(separator))),
	array_to_sentence_string: (budget, text, value, [connector]) =>
		textBytes(value, budget.limits.stringBytes, walk(budget), 3 + utf8Bytes(text(connector ?? "and"))),
	truncate: (_b, text, value, [, ellipsis]) => utf8Bytes(text(value)) + utf8Bytes(text(ellipsis ?? "...")),
	truncatewords: (_b, text, value, [, ellipsis]) => utf8Bytes(text(value)) + utf8Bytes(text(ellipsis ?? "...")),
	escape: escapeBound,
	xml_escape: escapeBound,
	escape_once: escapeBound,
	newline_to_br: (_b, text, value) => {
		const s = text(value);
		return utf8Bytes(s) + 6 * countOf(s, "\n"); // "\n" becomes "<br />\n"
	},
	url_encode: percentBound,
	cgi_escape: percentBound,
	uri_escape: percentBound,
	base64_encode: (_b, text, value) => 4 * Math.ceil(utf8Bytes(text(value)) / 3),
	// Case mapping can turn one character into three ("ŉ" -> "ʼN"); ASCII stays one byte.
	upcase: (_b, text, value) => {
		const s = text(value);
		return asciiUnits(s) + 3 * (utf8Bytes(s) - asciiUnits(s));
	},
	downcase: (_b, text, value) => {
		const s = text(value);
		return asciiUnits(s) + 3 * (utf8Bytes(s) - asciiUnits(s));
	},
	capitalize: (_b, text, value) => {
		const s = text(value);
		return asciiUnits(s) + 3 * (utf8Bytes(s) - asciiUnits(s));
	},
};

/** Filters that work on arrays as arrays and never turn an argument into text. */
const ARRAY_FILTERS = new Set([
	"join",
	"last",
	"first",
	"reverse",
	"sort",
	"sort_natural",
	"size",
	"map",
	"sum",
	"compact",
	"concat",
	"push",
	"unshift",
	"pop",
	"shift",
	"slice",
	"where",
	"reject",
	"where_exp",
	"reject_exp",
	"group_by",
	"group_by_exp",
	"has",
	"has_exp",
	"find_index",
	"find_index_exp",
	"find",
	"find_exp",
	"uniq",
	"sample",
	"default",
	"raw",
	"json",
	"jsonify",
	"inspect",
	"array_to_sentence_string",
]);

/** Elements of `array`, nested arrays unfolded, stopping past `limit`: what it costs to walk or print it. */
function unfolded(array: unknown[], limit: number): number {
	let count = array.length;
	for (const element of array) {
		if (count > limit) break;
		if (Array.isArray(element)) count += unfolded(element, limit - count);
	}
	return count;
}

/** Counts what a filter returned: a new string is built, a new array is items. */
function settle(budget: RenderBudget, result: unknown, inputs: unknown[]): void {
	if (inputs.includes(result)) return;
	if (typeof result === "string") budget.buildString(utf8Bytes(result));
	else if (Array.isArray(result)) budget.allocate(unfolded(result, budget.limits.items - budget.items));
}

function isIterator(value: unknown): value is Generator<unknown, unknown, unknown> {
	return typeof value === "object" && value !== null && typeof (value as { next?: unknown }).next === "function";
}

function* settleLater(budget: RenderBudget, pending: Generator<unknown, unknown, unknown>, inputs: unknown[]): Generator<unknown, unknown, unknown> {
	const result = yield* pending;
	settle(budget, result, inputs);
	return result;
}

/** `handler` as a filter that counts its work and its results. */
export function guardFilter(budget: RenderBudget, name: string, handler: FilterHandler): FilterHandler {
	const bound = BOUNDS[name];
	const pieces = SPLITS[name];
	const readsText = !ARRAY_FILTERS.has(name);
	const text = (v: unknown): string => {
		checkText(budget, v);
		return textOf(v);
	};
	return function (this: FilterThis, value: unknown, ...args: unknown[]) {
		const inputs = [value, ...args];
		budget.step(1 + inputs.reduce((sum: number, v) => sum + sizeSteps(v), 0));
		if (readsText) for (const v of inputs) checkText(budget, v);
		if (bound) budget.buildString(bound(budget, text, value, args), 0);
		if (pieces) budget.allocate(pieces(text, value, args));
		budget.enterFilter();
		let result: unknown;
		try {
			result = handler.call(this, value, ...args);
		} finally {
			budget.leaveFilter();
		}
		if (isIterator(result)) return settleLater(budget, result, inputs);
		settle(budget, result, inputs);
		return result;
	};
}

/** Re-registers every filter of `liquid` guarded, keeping `raw` filters raw. */
export function guardFilters(liquid: Liquid, budget: RenderBudget): void {
	for (const [name, impl] of Object.entries(liquid.filters)) {
		if (typeof impl === "function") liquid.registerFilter(name, guardFilter(budget, name, impl));
		else liquid.registerFilter(name, { ...impl, handler: guardFilter(budget, name, impl.handler) });
	}
}

/** Operators cost a step, plus what they read: comparing arrays walks them and may turn them into text. */
export function guardedOperators(budget: RenderBudget, operators: Operators): Operators {
	const guarded: Operators = {};
	for (const [name, operator] of Object.entries(operators)) {
		guarded[name] = (lhs: unknown, rhs: unknown, ctx: Context) => {
			budget.step(1 + sizeSteps(lhs) + sizeSteps(rhs));
			checkText(budget, lhs);
			checkText(budget, rhs);
			return operator(lhs, rhs, ctx);
		};
	}
	return guarded;
}
