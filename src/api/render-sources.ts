// The sources beyond url | html, settled when the render is created: a template is rendered with its
// data here (so template errors are 400s naming the line, before any job exists), and each part's
// HTML is stashed in R2 for the consumer like inline HTML is. The job then only prints.
import { config } from "../config";
import { logError } from "../log";
import type { JobRecord, PartRecord } from "../jobs/record";
import type { TemplateRef } from "../schemas/outputs";
import { MAX_HTML_BYTES, type RenderRequest } from "../schemas/render-request";
import { checkUrl } from "../security/url-policy";
import { sourceKey } from "../storage/documents";
import { outputFilename, partSourceKey, sourceKeysOf } from "../storage/outputs";
import { renderTemplate, TemplateError } from "../templates/liquid";
import { templateStub } from "../templates/template-object";
import { ApiError } from "./errors";

type Body = RenderRequest;

interface ResolvedPart {
	url: string | null;
	html: string | null;
	part: NonNullable<Body["parts"]>[number];
}

export interface ResolvedSources {
	/** The rendered template, for a `template` render. */
	templateHtml: string | null;
	template: { id: string; version: number } | null;
	parts: ResolvedPart[] | null;
}

const templateFailure = (path: string, message: string) => new ApiError(400, "TEMPLATE_ERROR", message, [{ path, message }]);

/** URL_NOT_ALLOWED for a part's URL; domain-less cookies only go with a URL. */
export function checkPartTargets(env: Env, body: Body): void {
	const { allowPrivateNetwork } = config(env);
	for (const [i, part] of (body.parts ?? []).entries()) {
		if (part.url !== undefined) {
			const verdict = checkUrl(part.url, { allowPrivateNetwork });
			if (!verdict.ok)
				throw new ApiError(400, "URL_NOT_ALLOWED", `parts.${i}.url is not allowed: ${verdict.reason}`, [{ path: `parts.${i}.url`, message: verdict.reason }]);
		}
		if (part.url === undefined && part.page?.cookies?.some((cookie) => !cookie.domain)) {
			throw new ApiError(400, "INVALID_REQUEST", "cookies need a domain when rendering html", [
				{ path: `parts.${i}.page.cookies`, message: "domain is required with html" },
			]);
		}
	}
	// The request's own page options apply to every part, and a part may be inline HTML, which has no origin.
	if (body.parts && body.page?.cookies?.some((cookie) => !cookie.domain)) {
		throw new ApiError(400, "INVALID_REQUEST", "cookies need a domain when rendering parts", [
			{ path: "page.cookies", message: "domain is required with parts" },
		]);
	}
	if (body.template && body.page?.cookies?.some((cookie) => !cookie.domain)) {
		throw new ApiError(400, "INVALID_REQUEST", "cookies need a domain when rendering a template", [
			{ path: "page.cookies", message: "domain is required with a template" },
		]);
	}
}

/** Renders a stored template of the tenant with `ref.data`; 400 TEMPLATE_ERROR naming the line. */
export async function renderTemplateRef(env: Env, tenantId: string, ref: TemplateRef, path: string): Promise<{ html: string; id: string; version: number }> {
	const store = templateStub(env, tenantId);
	const source = await store.source(ref.id, ref.version);
	if (!source) {
		const which = ref.version === undefined ? ref.id : `${ref.id} version ${ref.version}`;
		throw templateFailure(`${path}.id`, `template ${which} does not exist`);
	}
	try {
		const html = await renderTemplate(source.html, ref.data, { strict: ref.strict, include: (name) => store.includeSource(name) });
		if (new TextEncoder().encode(html).byteLength > MAX_HTML_BYTES) {
			throw templateFailure(path, `template ${source.name} v${source.version} renders to more than ${MAX_HTML_BYTES} bytes of HTML, the limit for html`);
		}
		return { html, id: source.id, version: source.version };
	} catch (err) {
		if (err instanceof TemplateError) throw templateFailure(path, `template ${source.name} v${source.version}, ${err.message}`);
		throw err;
	}
}

export async function resolveSources(env: Env, tenantId: string, body: Body): Promise<ResolvedSources> {
	if (body.template) {
		const rendered = await renderTemplateRef(env, tenantId, body.template, "template");
		return { templateHtml: rendered.html, template: { id: rendered.id, version: rendered.version }, parts: null };
	}
	if (!body.parts) return { templateHtml: null, template: null, parts: null };
	const parts: ResolvedPart[] = [];
	for (const [i, part] of body.parts.entries()) {
		const html = part.template ? (await renderTemplateRef(env, tenantId, part.template, `parts.${i}.template`)).html : (part.html ?? null);
		parts.push({ url: part.url ?? null, html, part });
	}
	return { templateHtml: null, template: null, parts };
}

/** The record's fields for outputs, templates and parts, over what newJobRecord made of url | html. */
export function withSources(record: JobRecord, body: Body, resolved: ResolvedSources): JobRecord {
	const output = body.output ?? "pdf";
	const next: JobRecord = { ...record, output, filename: outputFilename(body.filename, record.id, output) };
	if (body.screenshot) next.screenshot = body.screenshot;
	if (body.preview) next.preview = body.preview;
	if (resolved.template && resolved.templateHtml !== null) {
		const bytes = new TextEncoder().encode(resolved.templateHtml).byteLength;
		next.source = { type: "template", id: resolved.template.id, version: resolved.template.version, bytes };
		next.sourceKey = sourceKey(record.tenantId, record.id);
	}
	if (resolved.parts) {
		next.source = { type: "parts", count: resolved.parts.length };
		next.parts = resolved.parts.map(
			(r, i): PartRecord => ({
				url: r.url,
				sourceKey: r.html === null ? null : partSourceKey(record.tenantId, record.id, i),
				pdf: r.part.pdf ?? {},
				page: r.part.page ?? {},
			}),
		);
	}
	return next;
}

/** Puts the rendered template and the parts' HTML where the consumer reads them. */
export async function stashSources(env: Env, record: JobRecord, resolved: ResolvedSources): Promise<void> {
	const stash: Array<[string, string]> = [];
	if (record.sourceKey && resolved.templateHtml !== null) stash.push([record.sourceKey, resolved.templateHtml]);
	for (const [i, part] of (record.parts ?? []).entries()) {
		const html = resolved.parts?.[i]?.html;
		if (part.sourceKey && html != null) stash.push([part.sourceKey, html]);
	}
	try {
		await Promise.all(stash.map(([key, html]) => env.DOCUMENTS.put(key, html, { httpMetadata: { contentType: "text/html; charset=utf-8" } })));
	} catch (err) {
		throw new ApiError(503, "STORAGE_FAILED", `could not store the HTML source: ${err instanceof Error ? err.message : String(err)}`);
	}
}

/** Deletes what stashSources and the inline HTML stash wrote for a job that was never created (best effort, logged). */
export async function discardSources(env: Env, record: JobRecord): Promise<void> {
	const keys = sourceKeysOf(record);
	if (keys.length === 0) return;
	await env.DOCUMENTS.delete(keys).catch((err: unknown) =>
		logError({ msg: "stashed sources left behind", jobId: record.id, tenantId: record.tenantId, keys: keys.length, error: String(err) }),
	);
}
