// Stored Liquid templates: save-time syntax errors naming the line, versions, includes, escaping,
// strict variables, and renders from a template (checked in the PDF with pdf.js).
import { describe, expect, it } from "vitest";
import invoiceTemplate from "./fixtures/invoice.liquid?raw";
import type { Job } from "../src/schemas/job";
import { TEST_KEYS } from "./support/common/bindings";
import { api, postRender } from "./support/worker/api";
import { errorOf, expectError } from "./support/worker/errors";
import { answeredPdfText as pdfText } from "./support/worker/pdf";
import { saveTemplate, send, type TemplateView, uniqueName } from "./support/worker/templates";

interface ErrorView {
	error: { code: string; message: string; details?: Array<{ path: string; message: string }> };
}

function invoiceData(lines: number) {
	return {
		invoice: { number: "INV-42", paid: false, due: "2026-12-01T00:00:00Z" },
		customer: { name: "Bobby <script>alert(1)</script> & Co" },
		lines: Array.from({ length: lines }, (_, i) => ({ description: i === 7 ? "<script>steal()</script>" : `Widget ${i + 1}`, qty: 2, price: 1234.5 })),
	};
}

describe("templates", () => {
	it("a syntax error is a 400 TEMPLATE_ERROR naming the line, and nothing is stored", async () => {
		const name = uniqueName("broken");
		const res = await send("POST", "/v1/templates", { name, html: "<h1>ok</h1>\n<p>{{ x }}</p>\n{% for a in b %}\n<p>never closed</p>" });
		expect(res.status).toBe(400);
		const body: ErrorView = await res.json();
		expect(body.error.code).toBe("TEMPLATE_ERROR");
		expect(body.error.message).toMatch(/line 3\b/);
		expect(body.error.details?.[0]?.path).toBe("html");
		const list = (await (await api("/v1/templates?limit=100")).json()) as { data: Array<{ name: string }> };
		expect(list.data.map((t) => t.name)).not.toContain(name);
	});

	it("renders 50 invoice lines from a loop with escaped values: <script> in data prints as text", async () => {
		const letterhead = await saveTemplate(uniqueName("letterhead"), "<div>ACME Letterhead Ltd</div>");
		// The invoice includes its letterhead by name.
		const invoice = await saveTemplate(uniqueName("invoice"), invoiceTemplate.replace('"letterhead"', `"${letterhead.name}"`));
		const res = await postRender({ template: { id: invoice.id, data: invoiceData(50) }, async: false });
		const text = await pdfText(res);
		expect(text).toContain("ACME Letterhead Ltd");
		for (let i = 1; i <= 50; i++) expect(text).toContain(`LINE-${i}`);
		expect(text).not.toContain("LINE-51");
		// Escaped, so the page printed the markup instead of running it.
		expect(text).toContain("<script>steal()</script>");
		expect(text).toContain("Bobby <script>alert(1)</script> & Co");
		expect(text).toContain("1,234.50");
		expect(text).toContain("€123,450.00");
		expect(text).toContain("Due 2026-12-01");
	});

	it("a new version leaves the old one renderable; GET reads either; the job names its template version", async () => {
		const t = await saveTemplate(uniqueName("versioned"), "<p>Version one says {{ who }}</p>", { who: "sample-one" });
		const put = await send("PUT", `/v1/templates/${t.id}`, { html: "<p>Version two says {{ who }}</p>" });
		expect(put.status).toBe(200);
		const v2: TemplateView = await put.json();
		expect([v2.version, v2.versions]).toEqual([2, [1, 2]]);
		expect(await pdfText(await postRender({ template: { id: t.id, version: 1, data: { who: "alice" } }, async: false }))).toContain("Version one says alice");
		expect(await pdfText(await postRender({ template: { id: t.id, data: { who: "bob" } }, async: false }))).toContain("Version two says bob");
		const v1: TemplateView = await (await api(`/v1/templates/${t.id}?version=1`)).json();
		expect(v1).toMatchObject({ version: 1, html: "<p>Version one says {{ who }}</p>", sampleData: { who: "sample-one" } });
		const job: Job = await (await postRender({ template: { id: t.id, version: 1, data: {} } })).json();
		expect(job.source).toMatchObject({ type: "template", id: t.id, version: 1 });
	});

	it("strict: an undefined variable is a 400 naming the line; without it the output is empty", async () => {
		const t = await saveTemplate(uniqueName("strict"), "<p>fine</p>\n<p>[{{ customer.name }}]</p>");
		const strict = await postRender({ template: { id: t.id, data: {}, strict: true } });
		expect(strict.status).toBe(400);
		const body: ErrorView = await strict.json();
		expect(body.error).toMatchObject({ code: "TEMPLATE_ERROR", details: [{ path: "template" }] });
		expect(body.error.message).toMatch(/line 2\b.*customer/);
		// Not strict: the undefined variable prints nothing between its brackets (not "undefined", not the tag).
		const text = await pdfText(await postRender({ template: { id: t.id, data: {} }, async: false }));
		expect(text.replace(/\s+/g, " ").trim()).toBe("fine []");
	});

	it("POST /v1/templates/{id}/preview renders the sample data (or the given data) to a PDF", async () => {
		const footer = await saveTemplate(uniqueName("footer"), "<p>Footer for {{ name | default: 'nobody' }}</p>");
		// {% render %} includes another template with its own scope: only what is passed in.
		const t = await saveTemplate(uniqueName("preview"), `<p>Hello {{ name }}</p>{% render "${footer.name}", name: name %}`, { name: "Sample Person" });
		const sample = await send("POST", `/v1/templates/${t.id}/preview`, {});
		expect(sample.headers.get("render-id")).toMatch(/^ren_/);
		const text = await pdfText(sample);
		expect(text).toContain("Hello Sample Person");
		expect(text).toContain("Footer for Sample Person");
		expect(await pdfText(await send("POST", `/v1/templates/${t.id}/preview`, { data: { name: "Given" } }))).toContain("Hello Given");
	});

	it("is per tenant: another tenant's template is 404 and cannot be rendered; names are unique; DELETE removes every version", async () => {
		const name = uniqueName("private");
		const t = await saveTemplate(name, "<p>acme only</p>");
		expect(await errorOf(await api(`/v1/templates/${t.id}`, { key: TEST_KEYS.globex }))).toMatchObject({ status: 404, code: "NOT_FOUND" });
		const foreign = await postRender({ template: { id: t.id, data: {} } }, { key: TEST_KEYS.globex });
		expect(foreign.status).toBe(400);
		expect(((await foreign.json()) as ErrorView).error.code).toBe("TEMPLATE_ERROR");
		expect(await errorOf(await send("POST", "/v1/templates", { name, html: "<p>dup</p>" }))).toMatchObject({ status: 409, code: "CONFLICT", paths: ["name"] });
		expect((await api(`/v1/templates/${t.id}`, { method: "DELETE" })).status).toBe(200);
		expect(await errorOf(await api(`/v1/templates/${t.id}?version=1`))).toMatchObject({ status: 404, code: "NOT_FOUND" });
		expect(await errorOf(await postRender({ template: { id: t.id, data: {} } }))).toMatchObject({
			status: 400,
			code: "TEMPLATE_ERROR",
			message: `template ${t.id} does not exist`,
			paths: ["template.id"],
		});
	});
});

/** POST /v1/renders with the template: a 400 TEMPLATE_ERROR naming `budget`, and no job made from it. */
async function expectRefused(template: TemplateView, budget: RegExp): Promise<void> {
	const error = await expectError(await postRender({ template: { id: template.id, data: {} } }), 400, "TEMPLATE_ERROR");
	expect(error.message).toMatch(budget);
	expect(error.details?.[0]?.path).toBe("template");
	const jobs = (await (await api("/v1/renders?limit=100")).json()) as { data: Job[] };
	expect(jobs.data.filter((job) => job.source && "id" in job.source && job.source.id === template.id)).toEqual([]);
}

describe("template budgets (POST /v1/renders)", () => {
	it("capture/raw doubling (171 bytes) is refused at the string budget", async () => {
		const t = await saveTemplate(
			uniqueName("capture-doubling"),
			`{% assign s = "x" %}{% for i in (1..40) %}{% capture s %}{{ s | raw }}{{ s | raw }}{% endcapture %}{% endfor %}{{ s }}`,
		);
		await expectRefused(t, /built a string of more than 10 MiB \(string budget\)/);
	});

	it("assign/append doubling that is never output is refused at the string budget", async () => {
		const t = await saveTemplate(uniqueName("append-doubling"), `{% assign s = "x" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}done`);
		await expectRefused(t, /\(string budget\)/);
	});

	it("split/join and replace growth are refused at the string budget", async () => {
		const splitJoin = await saveTemplate(
			uniqueName("split-join"),
			`{% assign s = "ab" %}{% for i in (1..40) %}{% assign a = s | split: "" %}{% assign s = a | join: s %}{% endfor %}done`,
		);
		await expectRefused(splitJoin, /\(string budget\)/);
		const replace = await saveTemplate(
			uniqueName("replace"),
			`{% assign s = "x" %}{% for i in (1..40) %}{% assign s = s | replace: "x", "xxxxxxxxxx" %}{% endfor %}done`,
		);
		await expectRefused(replace, /\(string budget\)/);
	});

	it("a huge tablerow is refused at the request's HTML budget", async () => {
		const t = await saveTemplate(
			uniqueName("tablerow"),
			`{% assign s = "0123456789" %}{% for i in (1..10) %}{% assign s = s | append: s %}{% endfor %}{% tablerow i in (1..1000000) cols: 3 %}{{ s }}{% endtablerow %}`,
		);
		await expectRefused(t, /renders more than 10485760 bytes of HTML, the HTML budget of a request/);
	});

	it("a template that includes itself is refused by depth, naming the include budget", async () => {
		const name = uniqueName("self-include");
		const t = await saveTemplate(name, `<p>again</p>{% include "${name}" %}`);
		await expectRefused(t, /includes nested deeper than 10 \(include budget\)/);
	});

	it("a CPU-only loop is refused by its step count, naming the work budget", async () => {
		const t = await saveTemplate(uniqueName("cpu-loop"), `{% assign r = (1..100000) %}{% for a in r %}{% for b in r %}{% endfor %}{% endfor %}`);
		await expectRefused(t, /did more than [\d,]+ steps \(work budget\)/);
	});

	it("a 1,000-row invoice with a {% render %} per row renders every row", async () => {
		const row = await saveTemplate(
			uniqueName("row"),
			`<tr><td>ROW-{{ line.n }}</td>{% for tag in line.tags %}<td>{{ tag }}</td>{% endfor %}<td>{{ line.price | number: 2 }}</td></tr>`,
		);
		const t = await saveTemplate(uniqueName("long-invoice"), `<table>{% for line in lines %}{% render "${row.name}", line: line %}{% endfor %}</table>`);
		const lines = Array.from({ length: 1000 }, (_, i) => ({ n: i + 1, tags: ["x", "y"], price: 1234.5 }));
		const text = await pdfText(await postRender({ template: { id: t.id, data: { lines } }, async: false }));
		for (const n of [1, 2, 500, 999, 1000]) expect(text).toContain(`ROW-${n}`);
		expect(text).toContain("1,234.50");
	});
});
