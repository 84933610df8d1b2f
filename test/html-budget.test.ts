// The 10 MiB of HTML a request may produce holds over all of its parts, not per part: twenty parts
// naming a template that renders 600 kB each are refused at the part that runs the budget out,
// before any job or R2 object exists. Inline HTML counts toward the same budget.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8Length } from "../src/api/html-budget";
import { newJobId } from "../src/jobs/ids";
import type { Job } from "../src/schemas/job";
import { MAX_HTML_BYTES } from "../src/schemas/render-request";
import { api, postRender } from "./support/worker/api";
import { expectError } from "./support/worker/errors";
import { saveTemplate, uniqueName } from "./support/worker/templates";

const PART_BYTES = 600_000;

/** Jobs of acme created at or after `since`: in the listing, or as any object in R2. */
async function jobsSince(since: number): Promise<string[]> {
	const from = newJobId(since).slice(0, 14);
	const listing = await (await api("/v1/renders?limit=100")).json<{ data: Job[] }>();
	const keys = await Promise.all(["sources/acme/", "documents/acme/"].map(async (prefix) => (await env.DOCUMENTS.list({ prefix })).objects.map((o) => o.key)));
	const ids = [...listing.data.map((j) => j.id), ...keys.flat().map((key) => key.split("/")[2] ?? "")];
	return ids.filter((id) => id.slice(0, 14) >= from);
}

describe("the HTML budget of a request", () => {
	it("20 parts each under the cap but over it together: 400 TEMPLATE_ERROR naming the budget and the part; no job, nothing in R2", async () => {
		const big = await saveTemplate(uniqueName("big"), "x".repeat(PART_BYTES));
		const since = Date.now();
		const body = { parts: Array.from({ length: 20 }, () => ({ template: { id: big.id, data: {} } })) };
		const error = await expectError(await postRender(body), 400, "TEMPLATE_ERROR");
		// The first part that does not fit in what the parts before it left.
		const over = Math.floor(MAX_HTML_BYTES / PART_BYTES);
		expect(error.details).toEqual([{ path: `parts.${over}.template`, message: error.message }]);
		expect(error.message).toContain(`parts.${over}.template`);
		expect(error.message).toContain(`HTML budget of a request is ${MAX_HTML_BYTES} bytes over all its parts`);
		expect(error.message).toContain(`the parts before this one made ${over * PART_BYTES}`);
		expect(await jobsSince(since)).toEqual([]);
	});

	it("inline HTML counts toward the same budget, wherever its part stands", async () => {
		const big = await saveTemplate(uniqueName("big"), "x".repeat(PART_BYTES));
		const inline = `<p>${"y".repeat(5_000_000)}</p>`;
		const since = Date.now();
		const templates = Array.from({ length: 12 }, () => ({ template: { id: big.id, data: {} } }));
		const error = await expectError(await postRender({ parts: [...templates, { html: inline }] }), 400, "TEMPLATE_ERROR");
		const over = Math.floor((MAX_HTML_BYTES - inline.length) / PART_BYTES);
		expect(error.details?.[0]?.path).toBe(`parts.${over}.template`);
		expect(error.message).toContain(`the parts before this one made ${inline.length + over * PART_BYTES}`);
		expect(await jobsSince(since)).toEqual([]);
	});

	it("a Markdown part's HTML counts toward the same budget: refused naming the part, nothing stored", async () => {
		const inline = `<p>${"y".repeat(4_500_000)}</p>`;
		// ~5.7 MB of Markdown that converts to ~6 MB of HTML: more than the ~5.98 MB the inline part leaves.
		const markdown = `${"word ".repeat(20)}\n\n`.repeat(56_000);
		const since = Date.now();
		const error = await expectError(await postRender({ parts: [{ html: inline }, { markdown }] }), 400, "TEMPLATE_ERROR");
		expect(error.details?.[0]?.path).toBe("parts.1.markdown");
		expect(error.message).toContain(`the parts before this one made ${inline.length}`);
		expect(await jobsSince(since)).toEqual([]);
	});

	it("one template's HTML over the budget is refused naming it", async () => {
		// 19 of 20 outputs of a 600 kB loop body: 11.4 MB, each iteration far under the budget.
		const loop = await saveTemplate(uniqueName("loop"), `{% for i in (1..19) %}${"z".repeat(PART_BYTES)}{% endfor %}`);
		const since = Date.now();
		const error = await expectError(await postRender({ template: { id: loop.id, data: {} } }), 400, "TEMPLATE_ERROR");
		expect(error.details?.[0]?.path).toBe("template");
		expect(error.message).toContain(`renders more than ${MAX_HTML_BYTES} bytes of HTML, the HTML budget of a request`);
		expect(await jobsSince(since)).toEqual([]);
	});

	it("counts UTF-8 bytes as TextEncoder would write them, without encoding", () => {
		fc.assert(
			fc.property(
				fc.string({ unit: "binary" }),
				fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) }),
				(text, surrogates) => {
					for (const s of [text, surrogates, text + surrogates]) expect(utf8Length(s)).toBe(new TextEncoder().encode(s).byteLength);
				},
			),
			{ seed: 21, numRuns: 500 },
		);
	});
});
