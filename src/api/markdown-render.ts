// Markdown sources (the whole request's or one part's) turned into the HTML document the job
// prints, as templates are: in the API, within what is left of the request's HTML budget, so a
// refusal is a 400 naming the path before any job exists.
import { convertMarkdown, MarkdownTooLarge } from "../markdown/convert";
import { NestingTooDeep, SectionTooLarge } from "../markdown/sections";
import { MarkdownTooComplex } from "../markdown/work";
import type { HtmlBudget } from "./html-budget";
import { templateFailure } from "./template-render";

export interface RenderedMarkdown {
	html: string;
	/** UTF-8 bytes of `html`. */
	bytes: number;
}

/** 400 TEMPLATE_ERROR naming the request's HTML budget and what was left of it. */
function overBudget(path: string, budget: HtmlBudget, left: number) {
	const message =
		budget.spent === 0 && left === budget.limit
			? `${path}: the Markdown converts to more than ${budget.limit} bytes of HTML, the HTML budget of a request`
			: `${path}: the Markdown converts to more than the ${left} bytes of HTML left: the HTML budget of a request is ${budget.limit} bytes over all its parts, and the parts before this one made ${budget.spent}`;
	return templateFailure(path, message);
}

/** Converts `markdown` within what is left of `budget` (and counts its HTML there); 400 TEMPLATE_ERROR naming `path`. */
export function renderMarkdown(markdown: string, path: string, budget: HtmlBudget, language: string | undefined): RenderedMarkdown {
	const left = budget.left;
	let converted: { html: string; bytes: number };
	try {
		converted = convertMarkdown(markdown, { language, maxBytes: left });
	} catch (err) {
		if (err instanceof MarkdownTooLarge) throw overBudget(path, budget, left);
		if (err instanceof SectionTooLarge || err instanceof NestingTooDeep || err instanceof MarkdownTooComplex)
			throw templateFailure(path, `${path}: ${err.message}`);
		throw err;
	}
	if (!budget.take(converted.bytes)) throw overBudget(path, budget, left);
	return { html: converted.html, bytes: converted.bytes };
}
