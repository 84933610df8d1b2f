// Markdown as a source and as a part: converted to HTML in the API (GitHub's tables, task lists,
// strikethrough, autolinks, heading ids), printed with the built-in stylesheet, read back with
// poppler and qpdf; and refused with a 400 where it does not fit a request's budgets.
import { env } from "cloudflare:workers";
import { Marked } from "marked";
import { gfmHeadingId } from "marked-gfm-heading-id";
import { describe, expect, it } from "vitest";
import { convertMarkdown } from "../src/markdown/convert";
import { MAX_SECTION_CHARS, NestingTooDeep, SECTION_CHARS } from "../src/markdown/sections";
import { MarkdownTooComplex } from "../src/markdown/work";
import { MAX_HTML_BYTES } from "../src/schemas/render-request";
import { postRender } from "./support/worker/api";
import { expectError } from "./support/worker/errors";
import { renderPdf } from "./support/worker/pdf";
import { pdfinfo, pdftotext, qpdfJson } from "./support/worker/pdf-tools";

const DOCUMENT = `# Quarterly Report

Some **bold** and ~~struck~~ text, and an autolink: https://example.com/docs

| Item   | Quantity |
|--------|---------:|
| Widget | 42       |
| Gadget | 7        |

- [x] shipped the widgets
- [ ] counted the gadgets

\`\`\`js
const total = widgets + gadgets;
\`\`\`

## Details

More text.
`;

const convert = (markdown: string, language?: string) => convertMarkdown(markdown, { maxBytes: MAX_HTML_BYTES, language });

describe("Markdown conversion", () => {
	it("makes a complete document: GFM tables, disabled checkboxes, strikethrough, autolinks, code, title, lang", () => {
		const { html, title } = convert(DOCUMENT, "de-CH");
		expect(html.startsWith('<!doctype html><html lang="de-CH"><head><meta charset="utf-8"><title>Quarterly Report</title><style>')).toBe(true);
		expect(html).toContain("<th>Item</th>");
		expect(html).toContain("<td>Widget</td>");
		expect(html).toContain('<input checked="" disabled="" type="checkbox"> shipped the widgets');
		expect(html).toContain('<input disabled="" type="checkbox"> counted the gadgets');
		expect(html).toContain("<del>struck</del>");
		expect(html).toContain('<a href="https://example.com/docs">https://example.com/docs</a>');
		expect(html).toContain('<pre><code class="language-js">const total = widgets + gadgets;');
		expect(html.endsWith("</body></html>\n")).toBe(true);
		expect(title).toBe("Quarterly Report");
	});

	it("leaves lang out without a language, and the title out without a # heading", () => {
		const { html, title } = convert("## Only a second-level heading\n");
		expect(html.startsWith('<!doctype html><html><head><meta charset="utf-8"><style>')).toBe(true);
		expect(title).toBeNull();
	});

	it("gives headings GitHub's ids: punctuation dropped, duplicates numbered", () => {
		const { html } = convert("# Hello, World!\n\n## Hello, World!\n\n### Ünïcode & `code`\n");
		expect(html).toContain('<h1 id="hello-world">Hello, World!</h1>');
		expect(html).toContain('<h2 id="hello-world-1">Hello, World!</h2>');
		expect(html).toContain('<h3 id="ünïcode--code">');
	});

	it("starts every conversion's ids afresh", () => {
		convert("# Same\n");
		expect(convert("# Same\n").html).toContain('<h1 id="same">');
	});

	it("escapes the title: the heading's text as a reader sees it, never markup", () => {
		const { html, title } = convert("# A &amp; <b>B</b> \\<c\\> `<x>`\n");
		expect(title).toBe("A & B <c> <x>");
		expect(html).toContain("<title>A &amp; B &lt;c&gt; &lt;x&gt;</title>");
	});

	it("converts a document of many sections as marked converts it whole, reference links across sections included", () => {
		const block = "## Part\n\n- [ ] item\n\n  continued\n\n```\ncode\n\n# not a heading\n```\n\n<!-- note\n\n# hidden -->\n\nSee [the docs][docs].\n\n";
		const markdown = `${block.repeat(Math.ceil((3 * SECTION_CHARS) / block.length))}[docs]: https://example.com/docs\n`;
		const { html } = convert(markdown);
		const body = html.slice(html.indexOf("<body>\n") + "<body>\n".length, html.lastIndexOf("</body>"));
		expect(body).toBe(new Marked({ gfm: true, async: false }, gfmHeadingId()).parse(markdown));
		expect(body.split('<a href="https://example.com/docs">the docs</a>').length - 1).toBe(Math.ceil((3 * SECTION_CHARS) / block.length));
		expect(body).not.toContain("<h1");
	});
});

describe("Markdown conversion budgets", () => {
	it("refuses nesting deeper than 32 block quotes or 128 characters of indentation, naming the line", () => {
		expect(convert(`${">".repeat(32)} deep enough`).html).toContain("deep enough");
		expect(() => convert(`text\n\n${">".repeat(33)} too deep`)).toThrow(new NestingTooDeep(3));
		const indented = Array.from({ length: 66 }, (_, depth) => `${"  ".repeat(depth)}- level ${depth}`).join("\n");
		expect(() => convert(indented)).toThrow(NestingTooDeep);
	});

	it("refuses a long paragraph inside a list item before marked spends seconds on it; short ones convert", () => {
		const line = "lorem ipsum dolor sit amet\n";
		expect(() => convert(`- ${line.repeat(6_000)}`)).toThrow(MarkdownTooComplex);
		expect(() => convert(`> - a\n${`> ${line}`.repeat(6_000)}`)).toThrow(MarkdownTooComplex);
		expect(convert(`- ${line.repeat(40)}\n`.repeat(100)).html).toContain("<li><p>lorem ipsum");
	});
});

describe("Markdown renders", () => {
	it("prints the table, the task list and the code block, titled by the first # heading", async () => {
		const { job, bytes } = await renderPdf({ markdown: DOCUMENT });
		const text = await pdftotext(bytes);
		expect(text).toMatch(/Item\s+Quantity/);
		expect(text).toMatch(/Widget\s+42/);
		expect(text).toMatch(/Gadget\s+7/);
		expect(text).toContain("shipped the widgets");
		expect(text).toContain("counted the gadgets");
		expect(text).toContain("const total = widgets + gadgets;");
		expect(text).toContain("https://example.com/docs");
		expect((await pdfinfo(bytes)).Title).toBe("Quarterly Report");
		expect(job.source).toEqual({ type: "markdown", bytes: expect.any(Number) });
	});

	it("pdf.metadata.title wins over the heading; outline bookmarks list the headings", async () => {
		const { bytes } = await renderPdf({ markdown: DOCUMENT, pdf: { outline: true, metadata: { title: "Given title" } } });
		expect((await pdfinfo(bytes)).Title).toBe("Given title");
		const titles = (outlines: Array<{ title: string; kids: unknown[] }>): string[] =>
			outlines.flatMap((o) => [o.title, ...titles(o.kids as Array<{ title: string; kids: unknown[] }>)]);
		expect(titles((await qpdfJson(bytes)).outlines)).toEqual(["Quarterly Report", "Details"]);
	});

	it("merges a Markdown part among HTML parts, and the job names each part's source", async () => {
		const { job, bytes } = await renderPdf({
			parts: [{ html: "<p>first part</p>" }, { markdown: "# Middle\n\n| a | b |\n|---|---|\n| cell1 | cell2 |\n" }, { html: "<p>last part</p>" }],
		});
		const text = await pdftotext(bytes);
		expect(text.indexOf("first part")).toBeLessThan(text.indexOf("cell1"));
		expect(text.indexOf("cell2")).toBeLessThan(text.indexOf("last part"));
		expect(job.source).toMatchObject({ type: "parts", count: 3, parts: [{ type: "html" }, { type: "markdown" }, { type: "html" }] });
	});
});

describe("Markdown refusals", () => {
	it("markdown beside html is a 400 INVALID_REQUEST", async () => {
		await expectError(await postRender({ markdown: "# x", html: "<p>x</p>" }), 400, "INVALID_REQUEST");
	});

	it("empty markdown is a 400 INVALID_REQUEST", async () => {
		await expectError(await postRender({ markdown: "" }), 400, "INVALID_REQUEST");
		await expectError(await postRender({ parts: [{ markdown: "" }] }), 400, "INVALID_REQUEST");
	});

	it("markdown with domain-less cookies is a 400: it has no origin", async () => {
		const error = await expectError(await postRender({ markdown: "# x", page: { cookies: [{ name: "a", value: "b" }] } }), 400, "INVALID_REQUEST");
		expect(error.details?.[0]?.path).toBe("page.cookies");
	});

	it("a stretch longer than a section can hold is a 400 naming the path and the line; nothing stored", async () => {
		const before = (await env.DOCUMENTS.list({ prefix: "sources/acme/" })).objects.length;
		const error = await expectError(await postRender({ markdown: "- item\n".repeat(MAX_SECTION_CHARS / 7 + 1) }), 400, "TEMPLATE_ERROR");
		expect(error.details?.[0]?.path).toBe("markdown");
		expect(error.message).toContain("from line 1");
		expect((await env.DOCUMENTS.list({ prefix: "sources/acme/" })).objects.length).toBe(before);
	});

	it("unmatched emphasis delimiters past the work budget are a 400, refused before the slow pass", async () => {
		const paragraph = `${"_a".repeat(60_000)}\n\n`;
		const error = await expectError(await postRender({ markdown: paragraph }), 400, "TEMPLATE_ERROR");
		expect(error.message).toContain("work budget");
	});
});
