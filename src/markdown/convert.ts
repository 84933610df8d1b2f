// Markdown to a complete, printable HTML document: CommonMark with GitHub's tables, task lists,
// strikethrough and autolinks (marked's gfm), heading ids by GitHub's slug rule
// (marked-gfm-heading-id), the first `#` heading as <title>, and the print stylesheet. Pure: no I/O.
//
// Bounded: the document converts one section at a time (sections.ts), and the HTML is counted as
// it is made, so conversion stops once it passes `maxBytes` instead of building more. Measured in
// Node (docs/performance.md): 10 MiB of densely marked-up Markdown converts in ~5 s of CPU; of
// plain paragraphs, in ~0.5 s.
import { Lexer, type Links, Marked, type Token, type Tokens } from "marked";
import { gfmHeadingId, resetHeadings } from "marked-gfm-heading-id";
import { utf8Bytes } from "../templates/text-size";
import { type Section, splitSections } from "./sections";
import { MARKDOWN_STYLESHEET } from "./stylesheet";
import { MarkdownTooComplex, WorkBudget } from "./work";

export interface ConvertOptions {
	/** `<html lang>`; absent, the attribute is left out. */
	language?: string;
	/** The most UTF-8 bytes of HTML the whole document may take. */
	maxBytes: number;
}

export interface ConvertedMarkdown {
	html: string;
	/** UTF-8 bytes of `html`. */
	bytes: number;
	/** The first `#` heading as plain text; null without one. */
	title: string | null;
}

/** The HTML would pass `maxBytes`: conversion stopped there. */
export class MarkdownTooLarge extends Error {
	constructor(readonly maxBytes: number) {
		super(`the Markdown converts to more than ${maxBytes} bytes of HTML`);
		this.name = "MarkdownTooLarge";
	}
}

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** Character references as the reader sees them: numeric ones and the common named ones (others stay as written). */
function decodeEntities(text: string): string {
	return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]+);/gi, (whole, ref: string) => {
		if (ref[0] !== "#") return NAMED[ref.toLowerCase()] ?? whole;
		const code = ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
		return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "\ufffd";
	});
}

/** The text a reader sees in inline tokens: raw HTML tags dropped, code as written, images by their alt text. */
function plainText(tokens: Token[]): string {
	let text = "";
	for (const token of tokens) {
		if (token.type === "html") continue;
		if (token.type === "br") text += " ";
		else if (token.type === "codespan") text += (token as Tokens.Codespan).text;
		else if ("tokens" in token && token.tokens) text += plainText(token.tokens);
		else if ("text" in token && typeof token.text === "string") text += token.type === "escape" ? token.text : decodeEntities(token.text);
	}
	return text;
}

/** The first depth-1 heading anywhere in `tokens` (a blockquote's or list's too), as plain text. */
function firstTitle(tokens: Token[]): string | null {
	for (const token of tokens) {
		if (token.type === "heading" && (token as Tokens.Heading).depth === 1)
			return plainText((token as Tokens.Heading).tokens)
				.replace(/\s+/g, " ")
				.trim();
		const nested = "tokens" in token && token.tokens ? firstTitle(token.tokens) : null;
		if (nested !== null) return nested;
		const items = token.type === "list" ? (token as Tokens.List).items : [];
		for (const item of items) {
			const inItem = firstTitle(item.tokens);
			if (inItem !== null) return inItem;
		}
	}
	return null;
}

/**
 * A fresh marked per conversion, nothing shared between requests. marked-gfm-heading-id keeps its
 * slug counter in module state: it is reset here, and the conversion is synchronous from there to
 * the end, so no other conversion can run in between in this isolate.
 */
function newMarked(): Marked {
	resetHeadings();
	return new Marked({ gfm: true, breaks: false, pedantic: false, async: false }, gfmHeadingId());
}

/** Every section's reference definitions (`[x]: /url`), so a link may refer to one in another section. */
function allLinks(marked: Marked, sections: Section[]): Links {
	const links: Links = Object.create(null);
	for (const section of sections) {
		const lexer = new Lexer(marked.defaults);
		lexer.blockTokens(section.text);
		// The first definition of a label wins, as within one document.
		for (const [label, link] of Object.entries(lexer.tokens.links)) links[label] ??= link;
	}
	return links;
}

function documentHead(title: string | null, language: string | undefined): string {
	const lang = language ? ` lang="${escapeHtml(language)}"` : "";
	const titleTag = title ? `<title>${escapeHtml(title)}</title>` : "";
	return `<!doctype html><html${lang}><head><meta charset="utf-8">${titleTag}<style>${MARKDOWN_STYLESHEET}</style></head><body>\n`;
}

const DOCUMENT_TAIL = "</body></html>\n";

/**
 * Converts `markdown`; MarkdownTooLarge past `maxBytes`, SectionTooLarge for a block too long to
 * convert safely, MarkdownTooComplex past the inline work budget.
 */
export function convertMarkdown(markdown: string, options: ConvertOptions): ConvertedMarkdown {
	try {
		return convert(newMarked(), markdown, options);
	} finally {
		// The heading list the extension keeps would otherwise hold this document's headings until the next conversion.
		resetHeadings();
	}
}

/**
 * marked's Lexer.lex, in its two passes so the inline work is counted before it is done: the block
 * pass queues every inline run, the work budget reads the queue, then the inline pass runs it.
 */
function lexSection(marked: Marked, section: Section, links: Links | null, work: WorkBudget): Token[] {
	const lexer = new Lexer(marked.defaults);
	if (links) Object.assign(lexer.tokens.links, links);
	lexer.blockTokens(section.text, lexer.tokens);
	if (!work.takeInline(lexer)) throw new MarkdownTooComplex(section.line);
	for (const run of lexer.inlineQueue) {
		lexer.state.inRawBlock = false;
		lexer.inlineTokens(run.src, run.tokens);
	}
	return lexer.tokens;
}

function convert(marked: Marked, markdown: string, options: ConvertOptions): ConvertedMarkdown {
	const sections = splitSections(markdown.replace(/\r\n?/g, "\n"));
	const work = new WorkBudget();
	// Before the pass that gathers reference definitions, which runs the block pass of every section.
	for (const section of sections) if (!work.takeBlocks(section.itemParagraphs)) throw new MarkdownTooComplex(section.line);
	const links = sections.length > 1 && markdown.includes("]:") ? allLinks(marked, sections) : null;
	const body: string[] = [];
	// The head's title is only known after the first `#` heading; the rest of it counts from the start.
	const untitled = utf8Bytes(documentHead(null, options.language)) + utf8Bytes(DOCUMENT_TAIL);
	let bytes = untitled;
	let title: string | null = null;
	for (const section of sections) {
		const tokens = lexSection(marked, section, links, work);
		title ??= firstTitle(tokens);
		const html = marked.parser(tokens);
		bytes += utf8Bytes(html);
		if (bytes > options.maxBytes) throw new MarkdownTooLarge(options.maxBytes);
		body.push(html);
	}
	const head = documentHead(title, options.language);
	bytes += utf8Bytes(head) + utf8Bytes(DOCUMENT_TAIL) - untitled;
	if (bytes > options.maxBytes) throw new MarkdownTooLarge(options.maxBytes);
	return { html: head + body.join("") + DOCUMENT_TAIL, bytes, title };
}
