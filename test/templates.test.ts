// Stored Liquid templates: save-time syntax errors naming the line, versions, includes, escaping,
// strict variables, and renders from a template (checked in the PDF with pdf.js).
import { describe, expect, it } from "vitest";
import invoiceTemplate from "./fixtures/invoice.liquid?raw";
import type { Job } from "../src/schemas/job";
import { TEST_KEYS } from "./support/bindings";
import { api, postRender } from "./support/api";
import { errorOf } from "./support/errors";
import { readPdf } from "./support/pdf";

interface TemplateView {
	id: string;
	name: string;
	version: number;
	versions: number[];
	html: string;
	sampleData: Record<string, unknown> | null;
}

interface ErrorView {
	error: { code: string; message: string; details?: Array<{ path: string; message: string }> };
}

const send = (method: string, path: string, body: unknown, key?: string) =>
	api(path, { method, body: JSON.stringify(body), headers: { "content-type": "application/json" }, key });

async function saveTemplate(name: string, html: string, sampleData?: Record<string, unknown>, key?: string): Promise<TemplateView> {
	const res = await send("POST", "/v1/templates", { name, html, sampleData }, key);
	expect(res.status, await res.clone().text()).toBe(201);
	return res.json();
}

const uniqueName = (base: string) => `${base}-${crypto.randomUUID().slice(0, 8)}`;

async function pdfText(res: Response): Promise<string> {
	expect(res.status, res.status === 200 ? "" : await res.clone().text()).toBe(200);
	expect(res.headers.get("content-type")).toBe("application/pdf");
	return (await readPdf(await res.arrayBuffer())).text;
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
