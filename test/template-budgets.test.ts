// Template budgets, on renderTemplate itself: each hostile template is refused naming the budget it
// ran out of, the counters show the string was never built past its cap, and nothing here reads a
// clock (the budgets count; a deployed Worker's clock stands still while a template loops).
import { describe, expect, it } from "vitest";
import { RenderBudget, TEMPLATE_LIMITS } from "../src/templates/budget";
import { renderTemplate, TemplateError } from "../src/templates/liquid";

const CAP = TEMPLATE_LIMITS.stringBytes;

/** Renders `html` (includes from `templates`) against fresh counters; the refusal or the output, and the counters. */
async function render(html: string, templates: Record<string, string> = {}, options: { maxBytes?: number; data?: Record<string, unknown> } = {}) {
	const budget = new RenderBudget();
	const loads: string[] = [];
	const include = async (name: string) => {
		loads.push(name);
		return templates[name] ?? null;
	};
	try {
		const html_ = await renderTemplate(html, options.data ?? {}, { strict: false, include, budget, maxBytes: options.maxBytes });
		return { output: html_, error: null, budget, loads };
	} catch (err) {
		expect(err).toBeInstanceOf(TemplateError);
		return { output: null, error: (err as TemplateError).message, budget, loads };
	}
}

describe("template budgets (renderTemplate)", () => {
	it("capture/raw doubling stops at the string budget, before a string passes 10 MiB", async () => {
		const r = await render(`{% assign s = "x" %}{% for i in (1..40) %}{% capture s %}{{ s | raw }}{{ s | raw }}{% endcapture %}{% endfor %}{{ s }}`);
		expect(r.error).toMatch(/built a string of more than 10 MiB \(string budget\)/);
		expect(r.budget.largest).toBeLessThanOrEqual(CAP);
		expect(r.budget.largest).toBeGreaterThan(CAP / 2);
	});

	it("assign/append doubling, never output, stops at the string budget", async () => {
		const r = await render(`{% assign s = "x" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}done`);
		expect(r.error).toMatch(/\(string budget\)/);
		expect(r.budget.largest).toBeLessThanOrEqual(CAP);
	});

	it("replace and split/join growth stop at the string budget, checked before the string is built", async () => {
		const replace = await render(`{% assign s = "x" %}{% for i in (1..40) %}{% assign s = s | replace: "x", "xxxxxxxxxx" %}{% endfor %}done`);
		expect(replace.error).toMatch(/\(string budget\)/);
		expect(replace.budget.largest).toBeLessThanOrEqual(CAP);
		const splitJoin = await render(`{% assign s = "ab" %}{% for i in (1..40) %}{% assign a = s | split: "" %}{% assign s = a | join: s %}{% endfor %}done`);
		expect(splitJoin.error).toMatch(/\(string budget\)/);
		expect(splitJoin.budget.largest).toBeLessThanOrEqual(CAP);
	});

	it("an array holding one big string many times is measured before it is turned into text", async () => {
		const r = await render(
			`{% assign s = "0123456789" %}{% for i in (1..20) %}{% assign s = s | append: s %}{% endfor %}` +
				`{% assign a = "" | split: "," | push: s | push: s %}{{ a | upcase }}`,
		);
		expect(r.error).toMatch(/\(string budget\)/);
		expect(r.budget.largest).toBeLessThanOrEqual(CAP);
	});

	it("the output stops at maxBytes, counted in UTF-8 bytes", async () => {
		// "é" is 2 bytes: 250 of them fill 500 bytes exactly; one byte more is over.
		const fits = await render(`{% for i in (1..250) %}é{% endfor %}`, {}, { maxBytes: 500 });
		expect(fits.error).toBeNull();
		expect(new TextEncoder().encode(fits.output!).byteLength).toBe(500);
		const over = await render(`{% for i in (1..250) %}é{% endfor %}.`, {}, { maxBytes: 500 });
		expect(over.error).toMatch(/more than 500 bytes of output \(output budget\)/);
		expect(over.budget.output).toBeLessThanOrEqual(500);
	});

	it("a huge tablerow stops at the output budget", async () => {
		const r = await render(
			`{% assign s = "0123456789" %}{% for i in (1..10) %}{% assign s = s | append: s %}{% endfor %}{% tablerow i in (1..1000000) cols: 3 %}{{ s }}{% endtablerow %}`,
		);
		expect(r.error).toMatch(/more than 10 MiB of output \(output budget\)/);
		expect(r.budget.output).toBeLessThanOrEqual(TEMPLATE_LIMITS.outputBytes);
	});

	it("a CPU-only loop stops by its step count", async () => {
		const r = await render(`{% assign r = (1..100000) %}{% for a in r %}{% for b in r %}{% endfor %}{% endfor %}`);
		expect(r.error).toMatch(/did more than 600,000 steps \(work budget\)/);
		expect(r.budget.steps).toBe(TEMPLATE_LIMITS.steps + 1);
	});

	it("a range of a billion is refused before it is made", async () => {
		const r = await render(`{% for i in (1..1000000000) %}{% endfor %}`);
		expect(r.error).toMatch(/more than 2,000,000 array items \(item budget\)/);
		expect(r.budget.steps).toBeLessThan(10);
	});

	it("an array nested in itself stops at the item budget", async () => {
		const r = await render(`{% assign a = "" | split: "," | push: "" %}{% for i in (1..60) %}{% assign a = a | push: a %}{% endfor %}{{ a | size }}{{ a }}`);
		expect(r.error).toMatch(/\(item budget\)/);
	});

	it("a date format asking for a billion characters of padding stops at the string budget", async () => {
		const r = await render(`{{ "2026-01-01" | date: "%999999999d" }}`);
		expect(r.error).toMatch(/\(string budget\)/);
	});

	it("a template that includes itself stops by depth, naming the include budget", async () => {
		const r = await render(`{% include "self" %}`, { self: `x{% include "self" %}` });
		expect(r.error).toMatch(/includes nested deeper than 10 \(include budget\)/);
		expect(r.budget.depth).toBe(0);
		expect(r.loads).toEqual(["self"]);
	});

	it("at most 100 distinct templates per render", async () => {
		const names = Array.from({ length: 101 }, (_, i) => `t${i}`);
		const templates = Object.fromEntries(names.map((n) => [n, n]));
		const ok = await render(
			names
				.slice(0, 100)
				.map((n) => `{% render "${n}" %}`)
				.join(""),
			templates,
		);
		expect(ok.error).toBeNull();
		const over = await render(names.map((n) => `{% render "${n}" %}`).join(""), templates);
		expect(over.error).toMatch(/more than 100 distinct templates included \(include budget\)/);
		expect(over.loads).toHaveLength(100);
	});

	it("a 1,000-row invoice with a {% render %} per row renders, each template looked up once, well within every budget", async () => {
		const row = `<tr><td>ROW-{{ line.n }}</td><td>{{ line.description }}</td>{% for tag in line.tags %}<i>{{ tag | upcase }}</i>{% endfor %}<td>{{ line.qty | times: line.price | number: 2 }}</td></tr>`;
		const lines = Array.from({ length: 1000 }, (_, i) => ({ n: i + 1, description: `Widget <${i}>`, qty: 2, price: 1234.5, tags: ["a", "b", "c"] }));
		const r = await render(
			`{% include "head" %}<table>{% for line in lines %}{% render "row", line: line %}{% endfor %}</table>`,
			{ row, head: "<h1>ACME</h1>" },
			{
				data: { lines },
			},
		);
		expect(r.error).toBeNull();
		for (const n of [1, 500, 1000]) expect(r.output).toContain(`<td>ROW-${n}</td><td>Widget &lt;${n - 1}&gt;</td><i>A</i><i>B</i><i>C</i><td>2,469.00</td>`);
		expect(r.loads.sort()).toEqual(["head", "row"]);
		// The work budget leaves this invoice about ten times its cost (docs/security.md).
		expect(r.budget.steps * 8).toBeLessThan(TEMPLATE_LIMITS.steps);
	});
});
