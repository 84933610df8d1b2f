// Cuts a Markdown document into sections that convert one at a time, so a large document never
// holds all of its tokens at once: marked keeps 40 to 150 bytes of tokens per character of densely
// marked-up Markdown (a 256 KiB table holds ~39 MiB; a whole 10 MiB document would be far past a
// Worker isolate's 128 MiB).
// A cut is only made where CommonMark starts a new top-level block whatever came before: after a
// blank line, before a line in column 0 that is not a list item (a list may continue after a blank
// line), and never inside a fenced code block or an HTML block that runs to an end marker (those
// may hold blank lines). Converting the sections one by one then gives the same HTML as converting
// the whole (reference definitions are gathered from every section first); a document shorter than
// SECTION_CHARS is a single section.
// The scan also measures what makes marked's block pass slow: a long paragraph inside a list item
// costs the square of its length (240 KiB of one took 29 s in Node).

/** A section is closed at the first cut past this many characters. */
export const SECTION_CHARS = 64 * 1024;
/** A stretch with no cut longer than this is refused: its tokens alone could exhaust the isolate. */
export const MAX_SECTION_CHARS = 256 * 1024;

export class SectionTooLarge extends Error {
	constructor(readonly line: number) {
		super(`the Markdown from line ${line} runs more than ${MAX_SECTION_CHARS} characters without a blank line before a new top-level block`);
		this.name = "SectionTooLarge";
	}
}

/** Block quotes and list indentation nest marked's block pass (a recursion per level, each re-reading what is inside). */
export const MAX_QUOTE_DEPTH = 32;
export const MAX_INDENT = 128;

export class NestingTooDeep extends Error {
	constructor(readonly line: number) {
		super(`line ${line} of the Markdown nests deeper than ${MAX_QUOTE_DEPTH} block quotes or ${MAX_INDENT} characters of indentation`);
		this.name = "NestingTooDeep";
	}
}

function tooDeep(text: string): boolean {
	const prefix = /^[ \t>]*/.exec(text)?.[0] ?? "";
	if (prefix.length <= MAX_INDENT && prefix.length <= MAX_QUOTE_DEPTH) return false;
	let quotes = 0;
	for (const c of prefix) if (c === ">") quotes++;
	return quotes > MAX_QUOTE_DEPTH || prefix.length - quotes > MAX_INDENT;
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const LIST_ITEM = /^([-+*]|\d{1,9}[.)])(\s|$)/;
/** CommonMark's HTML blocks 1-5: they end at a marker, not at a blank line. */
const HTML_BLOCKS: Array<[RegExp, RegExp]> = [
	[/^ {0,3}<(script|pre|style|textarea)(\s|>|$)/i, /<\/(script|pre|style|textarea)>/i],
	[/^ {0,3}<!--/, /-->/],
	[/^ {0,3}<\?/, /\?>/],
	[/^ {0,3}<![A-Za-z]/, />/],
	[/^ {0,3}<!\[CDATA\[/, /\]\]>/],
];

/** What a line leaves open that a blank line does not close: a fence (its closing pattern) or an HTML block. */
type Open = { kind: "fence"; close: RegExp } | { kind: "html"; end: RegExp } | null;

function opens(line: string): Open {
	const fence = FENCE_OPEN.exec(line);
	// A backtick fence's info string may not hold a backtick (then it is inline code, not a fence).
	if (fence?.[1] && !(fence[1][0] === "`" && fence[2]?.includes("`"))) {
		const char = fence[1][0] === "`" ? "`" : "~";
		return { kind: "fence", close: new RegExp(`^ {0,3}\\${char}{${fence[1].length},}\\s*$`) };
	}
	for (const [start, end] of HTML_BLOCKS) {
		// A block whose end marker is on its first line is already closed.
		if (start.test(line)) return end.test(line.replace(start, "")) ? null : { kind: "html", end };
	}
	return null;
}

function stillOpen(open: Open, line: string): Open {
	if (open?.kind === "fence") return open.close.test(line) ? null : open;
	if (open?.kind === "html") return open.end.test(line) ? null : open;
	return open;
}

const isBlank = (line: string) => line.trim() === "";

export interface Section {
	text: string;
	/** Its first line's number in the document, from 1. */
	line: number;
	/** Σ length² of the paragraphs that start on a list item's line (see work.ts). */
	itemParagraphs: number;
}

/** A list item's first line, at any depth, in a block quote too. */
const ANY_ITEM = /^[\s>]*([-+*]|\d{1,9}[.)])(\s|$)/;

/** The sections of `markdown` (line endings already \n), in order; SectionTooLarge past MAX_SECTION_CHARS, NestingTooDeep. */
export function splitSections(markdown: string): Section[] {
	const sections: Section[] = [];
	let start = 0;
	let startLine = 1;
	let line = 1;
	let open: Open = null;
	let previousBlank = false;
	// The paragraph that started on a list item's line, as long as it runs (-1: none).
	let itemRun = -1;
	let itemParagraphs = 0;
	// Line by line without splitting: an array of every line of 10 MiB would itself be ~100 MiB.
	for (let at = 0; at < markdown.length; line++) {
		const newline = markdown.indexOf("\n", at);
		const end = newline < 0 ? markdown.length : newline + 1;
		const text = markdown.slice(at, newline < 0 ? end : newline);
		const cut = open === null && previousBlank && /^\S/.test(text) && !LIST_ITEM.test(text);
		if (cut && at - start >= SECTION_CHARS) {
			sections.push({ text: markdown.slice(start, at), line: startLine, itemParagraphs });
			start = at;
			startLine = line;
			itemParagraphs = 0;
		}
		if (end - start > MAX_SECTION_CHARS) throw new SectionTooLarge(startLine);
		const inCode = open !== null;
		if (!inCode && tooDeep(text)) throw new NestingTooDeep(line);
		open = open === null ? opens(text) : stillOpen(open, text);
		previousBlank = isBlank(text);
		// A paragraph that starts on an item's line or indented (an item's later paragraph) runs
		// until a blank line, code, or the next item.
		const item = ANY_ITEM.test(text);
		if (previousBlank || inCode || item || (itemRun < 0 && /^\s/.test(text))) {
			if (itemRun > 0) itemParagraphs += itemRun * itemRun;
			itemRun = previousBlank || inCode ? -1 : 0;
		}
		if (itemRun >= 0) itemRun += text.length + 1;
		at = end;
	}
	if (itemRun > 0) itemParagraphs += itemRun * itemRun;
	sections.push({ text: markdown.slice(start), line: startLine, itemParagraphs });
	return sections;
}
