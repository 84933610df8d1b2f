// A work budget for marked that needs no timer (a deployed Worker's clock does not advance during
// pure CPU work), for the two places its cost grows with the square of the input, measured in Node:
// - inline: marked looks for the closer of each `*`, `_` or `~` delimiter by scanning the rest of
//   its paragraph, so a paragraph of unmatched delimiters costs its length times their number
//   (128 KiB of `_a` took 75 s): ~8.7 ns x length x delimiters, summed over every inline run (a
//   paragraph, a heading, a table cell, a list item's text) once the block pass has queued them;
// - block: a paragraph inside a list item is re-scanned line by line (240 KiB took 29 s):
//   ~0.5 ns x its length², measured by the section scan before the block pass runs.
// Both bound the cost from above (matched delimiters cost far less); the budget admits ~4 s of the
// worst case, and ordinary documents stay far below it (10 MiB of prose in 500-character paragraphs
// with a few emphases each estimates under 0.4 s).
import type { Lexer } from "marked";

/** Nanoseconds of estimated work. */
export const MAX_WORK = 4_000_000_000;
const NS_PER_DELIMITER_CHAR = 8.7;
const NS_PER_ITEM_CHAR_SQUARED = 0.5;

export class MarkdownTooComplex extends Error {
	constructor(readonly line: number) {
		super(
			`the Markdown from line ${line} on is too costly to convert within the work budget of a request: long paragraphs with many unmatched emphasis delimiters (* _ ~), or long paragraphs inside list items`,
		);
		this.name = "MarkdownTooComplex";
	}
}

/** Upper bound of what marked's inline pass spends on `text`, in ns. */
export function inlineWork(text: string): number {
	let delimiters = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 42 || c === 95 || c === 126) delimiters++;
	}
	return NS_PER_DELIMITER_CHAR * text.length * delimiters;
}

/** What is left of a conversion's work budget. */
export class WorkBudget {
	private left = MAX_WORK;

	/** Counts a section's list-item paragraphs (Σ length²) before its block pass; false once past the budget. */
	takeBlocks(itemParagraphs: number): boolean {
		this.left -= NS_PER_ITEM_CHAR_SQUARED * itemParagraphs;
		return this.left >= 0;
	}

	/** Counts the inline runs `lexer` has queued; false once past the budget. */
	takeInline(lexer: Lexer): boolean {
		for (const run of lexer.inlineQueue) this.left -= inlineWork(run.src);
		return this.left >= 0;
	}
}
