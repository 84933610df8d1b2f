// The report's accessibility facts about the final PDF, with what stands in the way of assistive
// technology said in sentences a person can act on.
import type { DocumentFacts, FactsResult } from "../pdf/document-scan";
import type { RenderReport } from "../schemas/report";

type Accessibility = NonNullable<RenderReport["accessibility"]>;

/** The report's caps (report.ts): a text cut and redacted, a list cut. */
export interface Capper {
	text(raw: string): string;
	list<T, U>(items: readonly T[], map: (item: T) => U): U[];
}

const count = (n: number, one: string, many: string) => (n === 1 ? `1 ${one}` : `${n} ${many}`);

function issuesOf(facts: DocumentFacts): string[] {
	const issues: string[] = [];
	if (!facts.tagged) issues.push("the PDF is not tagged: assistive technology gets no headings, figures or reading order");
	// An encrypted file's language and title are ciphertext to this reader: not known, so not missing.
	if (facts.lang === null && !facts.encrypted) issues.push("no document language (set lang on the html element)");
	if (facts.title === null && !facts.encrypted) issues.push("no document title");
	if (facts.tagged && facts.headings === 0) issues.push("no headings");
	if (facts.figuresWithoutAlt > 0) issues.push(`${count(facts.figuresWithoutAlt, "figure has", "figures have")} no alternative text`);
	const bare = facts.fonts.filter((f) => !f.embedded).length;
	if (bare > 0) issues.push(`${count(bare, "font is", "fonts are")} not embedded`);
	return issues;
}

/** The facts, or, when the PDF could not be read, nothing claimed but the reason. */
export function accessibilityOf(pdf: FactsResult, caps: Capper): Accessibility {
	const cap = (issues: string[]) => caps.list(issues, (issue) => caps.text(issue));
	if (!pdf.ok) {
		const issues = cap([`the PDF could not be inspected: ${pdf.reason}`]);
		return { tagged: false, lang: null, title: null, headings: 0, outlineEntries: 0, figures: 0, figuresWithoutAlt: 0, issues };
	}
	const f = pdf.facts;
	return {
		tagged: f.tagged,
		lang: f.lang === null ? null : caps.text(f.lang),
		title: f.title === null ? null : caps.text(f.title),
		headings: f.headings,
		outlineEntries: f.outlineEntries,
		figures: f.figures,
		figuresWithoutAlt: f.figuresWithoutAlt,
		issues: cap(issuesOf(f)),
	};
}
