// Pinned means pinned: a render that names a template version gets that version's includes as they
// were when it was saved (by the order of saves, names as they were then); an unpinned render gets
// the latest of everything. Every template render says on the job's `source` which templates, at
// which versions, it used (per part for merged parts).
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Job } from "../src/schemas/job";
import { TEMPLATE_MIGRATIONS, type TemplateObject, templateStub } from "../src/templates/template-object";
import { migrate } from "../src/storage/sql-schema";
import { api, getJob, postRender } from "./support/worker/api";
import { expectError } from "./support/worker/errors";
import { answeredPdfText } from "./support/worker/pdf";
import { saveTemplate, saveVersion, type TemplateView, uniqueName } from "./support/worker/templates";

/** A synchronous render: the PDF's text and the job it recorded. */
async function renderNow(template: Record<string, unknown>): Promise<{ text: string; job: Job }> {
	const res = await postRender({ template: { data: {}, ...template }, async: false });
	const text = await answeredPdfText(res);
	return { text, job: await getJob(res.headers.get("render-id") ?? "") };
}

/** An async render's job as created: its source is settled before it is queued. */
async function created(body: Record<string, unknown>): Promise<Job> {
	const res = await postRender(body);
	expect(res.status, await res.clone().text()).toBe(202);
	return res.json();
}

const use = (t: Pick<TemplateView, "id" | "name">, version: number) => ({ id: t.id, name: t.name, version });

describe("pinned template versions", () => {
	it("a pinned render uses each include as it was when the pinned version was saved; an unpinned one uses the latest", async () => {
		const head = await saveTemplate(uniqueName("head"), "<p>Head one</p>");
		const main = await saveTemplate(uniqueName("main"), `{% include "${head.name}" %}<p>Body one</p>`);
		await saveVersion(head.id, "<p>Head two</p>");

		const pinned = await renderNow({ id: main.id, version: 1 });
		expect(pinned.text).toContain("Head one");
		expect(pinned.text).not.toContain("Head two");
		expect(pinned.job.source).toEqual({ type: "template", id: main.id, version: 1, bytes: expect.any(Number), templates: [use(main, 1), use(head, 1)] });

		const latest = await renderNow({ id: main.id });
		expect(latest.text).toContain("Head two");
		expect(latest.job.source).toMatchObject({ version: 1, templates: [use(main, 1), use(head, 2)] });

		// A version saved after the include changed pins the include's new version; later ones do not reach it.
		await saveVersion(main.id, `{% render "${head.name}" %}<p>Body two</p>`);
		await saveVersion(head.id, "<p>Head three</p>");
		expect((await renderNow({ id: main.id, version: 2 })).text).toContain("Head two");
		expect((await renderNow({ id: main.id })).text).toContain("Head three");
	});

	it("includes of includes are pinned too, and every one is recorded once, in the order first used", async () => {
		const leaf = await saveTemplate(uniqueName("leaf"), "<p>Leaf one</p>");
		const middle = await saveTemplate(uniqueName("middle"), `<p>Middle</p>{% include "${leaf.name}" %}`);
		const top = await saveTemplate(uniqueName("top"), `{% include "${middle.name}" %}{% include "${leaf.name}" %}{% include "${leaf.id}" %}`);
		await saveVersion(leaf.id, "<p>Leaf two</p>");
		const job = await created({ template: { id: top.id, version: 1, data: {} } });
		expect(job.source).toMatchObject({ type: "template", templates: [use(top, 1), use(middle, 1), use(leaf, 1)] });
	});

	it("names are resolved as they were: a renamed include is still found, a later template of that name is not, a deleted one is an error", async () => {
		const name = uniqueName("letterhead");
		const head = await saveTemplate(name, "<p>Original head</p>");
		const main = await saveTemplate(uniqueName("doc"), `{% include "${name}" %}<p>Doc</p>`);
		const renamed = await saveVersion(head.id, "<p>Original head</p>", uniqueName("old-letterhead"));
		const impostor = await saveTemplate(name, "<p>Impostor head</p>");

		const pinned = await created({ template: { id: main.id, version: 1, data: {} } });
		expect(pinned.source).toMatchObject({ templates: [use(main, 1), { id: head.id, name, version: 1 }] });
		const latest = await created({ template: { id: main.id, data: {} } });
		expect(latest.source).toMatchObject({ templates: [use(main, 1), use(impostor, 1)] });
		expect(renamed.name).not.toBe(name);

		// Deleting a template deletes every version: the pinned render cannot be what it was, so it fails.
		expect((await api(`/v1/templates/${head.id}`, { method: "DELETE" })).status).toBe(200);
		const gone = await expectError(await postRender({ template: { id: main.id, version: 1, data: {} } }), 400, "TEMPLATE_ERROR");
		expect(gone.details?.[0]?.path).toBe("template");
		expect(gone.message).toContain(name);
	});

	it("two saves in the same millisecond keep their order: an include saved just after the pinned version is not used", async () => {
		const store = templateStub(env, "acme");
		const at = Date.now();
		const headName = uniqueName("same-ms-head");
		const head = await store.create({ name: headName, html: "<p>Head one</p>" }, at);
		const main = await store.create({ name: uniqueName("same-ms-main"), html: `{% include "${headName}" %}` }, at);
		const next = await store.update(head.ok ? head.template.id : "", { html: "<p>Head two</p>" }, at);
		if (!head.ok || !main.ok || !next.ok) throw new Error("could not save the templates");

		const job = await created({ template: { id: main.template.id, version: 1, data: {} } });
		expect(job.source).toMatchObject({
			templates: [
				{ id: main.template.id, version: 1 },
				{ id: head.template.id, name: headName, version: 1 },
			],
		});
	});

	it("versions saved before the save order was kept are ordered as they were inserted, under the name their template has", async () => {
		const stub = templateStub(env, `legacy-${crypto.randomUUID()}`);
		await runInDurableObject(stub, async (instance: TemplateObject, state) => {
			const sql = state.storage.sql;
			// The schema and rows as the code before this change left them: no seq, no name per version.
			for (const table of ["template_versions", "templates", "_schema"]) sql.exec(`DROP TABLE ${table}`);
			migrate(sql, TEMPLATE_MIGRATIONS.slice(0, 2));
			const at = Date.now();
			sql.exec("INSERT INTO templates VALUES ('tpl_head', 'head', 2, ?, ?), ('tpl_main', 'main', 1, ?, ?)", at, at, at, at);
			// All three in one millisecond: only the order they were inserted in tells them apart.
			for (const [id, version, html] of [
				["tpl_head", 1, "<p>Head one</p>"],
				["tpl_main", 1, '{% include "head" %}'],
				["tpl_head", 2, "<p>Head two</p>"],
			] as const) {
				sql.exec("INSERT INTO template_versions (template_id, version, html, sample_data, created_at) VALUES (?, ?, ?, NULL, ?)", id, version, html, at);
			}
			migrate(sql, TEMPLATE_MIGRATIONS);
			expect(await instance.includeSource("head", { id: "tpl_main", version: 1 })).toEqual({
				id: "tpl_head",
				name: "head",
				version: 1,
				html: "<p>Head one</p>",
			});
			expect(await instance.includeSource("head")).toMatchObject({ version: 2 });
		});
	});

	it("merged parts record each part's source, templates with every template they used", async () => {
		const head = await saveTemplate(uniqueName("part-head"), "<p>Head one</p>");
		const main = await saveTemplate(uniqueName("part-main"), `{% include "${head.name}" %}`);
		await saveVersion(head.id, "<p>Head two</p>");
		const html = "<p>inline ü</p>";
		const job = await created({
			parts: [{ html }, { template: { id: main.id, version: 1, data: {} } }, { template: { id: main.id, data: {} } }],
		});
		expect(job.source).toEqual({
			type: "parts",
			count: 3,
			parts: [
				{ type: "html", bytes: new TextEncoder().encode(html).byteLength },
				{ type: "template", id: main.id, version: 1, bytes: expect.any(Number), templates: [use(main, 1), use(head, 1)] },
				{ type: "template", id: main.id, version: 1, bytes: expect.any(Number), templates: [use(main, 1), use(head, 2)] },
			],
		});
		// The stored job says the same when read back.
		expect((await getJob(job.id)).source).toEqual(job.source);
	});
});
