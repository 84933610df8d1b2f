// Values several request schemas share: CSS lengths (paper, margins, stamps) and page ranges
// (what Chrome prints, which pages a stamp goes on).
import { z } from "@hono/zod-openapi";

/** CSS length as Chrome's printer takes it: a number with an optional px|in|cm|mm unit. */
const CSS_LENGTH = /^\d+(\.\d+)?(px|in|cm|mm)?$/;
/** Chrome's page ranges: "1-3, 5, 8-". */
export const PAGE_RANGES = /^\s*\d+\s*(-\s*\d*\s*)?(,\s*\d+\s*(-\s*\d*\s*)?)*$/;

/** A bare number (or no unit) is CSS px. */
export const cssLength = z.union([z.string().regex(CSS_LENGTH, "must be a length like 10mm, 1in, 96px or 96"), z.number().min(0).max(100000)]);
export type CssLength = z.infer<typeof cssLength>;

/** One range of a page-ranges string, from 1; `last` null is open-ended ("8-"). */
export interface PageRange {
	first: number;
	last: number | null;
}

/** The ranges of a string PAGE_RANGES accepts: "1-3, 5, 8-" is 1..3, 5..5, 8..end. */
export function parsePageRanges(text: string): PageRange[] {
	return text.split(",").map((item) => {
		const [from = "", to] = item.split("-").map((s) => s.trim());
		const first = Number(from);
		if (to === undefined) return { first, last: first };
		return { first, last: to === "" ? null : Number(to) };
	});
}
