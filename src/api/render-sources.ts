// The sources beyond url | html, settled when the render is created: a template is rendered with its
// data here and Markdown converted (so their errors are 400s naming the line, before any job
// exists), and each part's HTML is stashed in R2 for the consumer like inline HTML is. The job then
// only prints.
import { config } from "../config";
import { logError } from "../log";
import type { JobRecord, PartRecord } from "../jobs/record";
import type { PartSource } from "../schemas/job";
import type { RenderRequest } from "../schemas/render-request";
import { checkUrl } from "../security/url-policy";
import { sourceKey } from "../storage/documents";
import { outputFilename, partSourceKey, sourceKeysOf } from "../storage/outputs";
import { ApiError } from "./errors";
import { HtmlBudget, utf8Length } from "./html-budget";
import { type RenderedMarkdown, renderMarkdown } from "./markdown-render";
import { type RenderedTemplate, renderTemplateRef } from "./template-render";

type Body = RenderRequest;

interface ResolvedPart {
	url: string | null;
	html: string | null;
	/** What the part's source is, as the job shows it. */
	source: PartSource;
	part: NonNullable<Body["parts"]>[number];
}

export interface ResolvedSources {
	/** The rendered template, for a `template` render. */
	template: RenderedTemplate | null;
	/** The converted Markdown, for a `markdown` render. */
	markdown: RenderedMarkdown | null;
	parts: ResolvedPart[] | null;
}

/** URL_NOT_ALLOWED for a part's URL; domain-less cookies only go with a URL. */
export function checkPartTargets(env: Env, body: Body): void {
	const { allowPrivateNetwork } = config(env);
	for (const [i, part] of (body.parts ?? []).entries()) {
		if (part.url !== undefined) {
			const verdict = checkUrl(part.url, { allowPrivateNetwork });
			if (!verdict.ok)
				throw new ApiError(400, "URL_NOT_ALLOWED", `parts.${i}.url is not allowed: ${verdict.reason}`, {
					details: [{ path: `parts.${i}.url`, message: verdict.reason }],
				});
		}
		if (part.url === undefined && part.page?.cookies?.some((cookie) => !cookie.domain)) {
			throw new ApiError(400, "INVALID_REQUEST", "cookies need a domain when rendering html", {
				details: [{ path: `parts.${i}.page.cookies`, message: "domain is required with html" }],
			});
		}
	}
	// The request's own page options apply to every part, and a part may be inline HTML, which has no origin.
	if (body.parts && body.page?.cookies?.some((cookie) => !cookie.domain)) {
		throw new ApiError(400, "INVALID_REQUEST", "cookies need a domain when rendering parts", {
			details: [{ path: "page.cookies", message: "domain is required with parts" }],
		});
	}
	if (body.template && body.page?.cookies?.some((cookie) => !cookie.domain)) {
		throw new ApiError(400, "INVALID_REQUEST", "cookies need a domain when rendering a template", {
			details: [{ path: "page.cookies", message: "domain is required with a template" }],
		});
	}
}

const templateSource = (t: RenderedTemplate) => ({ type: "template" as const, id: t.id, version: t.version, bytes: t.bytes, templates: t.templates });

/**
 * Inline HTML first: it costs nothing to count, and whatever it leaves is the cap each template
 * renders under, in order. (The body limit keeps inline HTML alone inside the budget.)
 */
function countInlineHtml(parts: NonNullable<Body["parts"]>, budget: HtmlBudget): number[] {
	return parts.map((part, i) => {
		if (part.html === undefined) return 0;
		const bytes = utf8Length(part.html);
		if (!budget.take(bytes)) {
			const message = `parts.${i}.html: the parts' HTML adds up to more than ${budget.limit} bytes, the HTML budget of a request`;
			throw new ApiError(400, "INVALID_REQUEST", message, { details: [{ path: `parts.${i}.html`, message }] });
		}
		return bytes;
	});
}

async function resolveParts(env: Env, tenantId: string, body: Body, parts: NonNullable<Body["parts"]>): Promise<ResolvedPart[]> {
	const budget = new HtmlBudget();
	const inlineBytes = countInlineHtml(parts, budget);
	const resolved: ResolvedPart[] = [];
	for (const [i, part] of parts.entries()) {
		const url = part.url ?? null;
		if (part.template) {
			const rendered = await renderTemplateRef(env, tenantId, part.template, `parts.${i}.template`, budget);
			resolved.push({ url, html: rendered.html, source: templateSource(rendered), part });
		} else if (part.markdown !== undefined) {
			const converted = renderMarkdown(part.markdown, `parts.${i}.markdown`, budget, body.pdf?.metadata?.language);
			resolved.push({ url, html: converted.html, source: { type: "markdown", bytes: converted.bytes }, part });
		} else if (part.html !== undefined) {
			resolved.push({ url, html: part.html, source: { type: "html", bytes: inlineBytes[i] ?? 0 }, part });
		} else {
			resolved.push({ url, html: null, source: { type: "url", url: url ?? "" }, part });
		}
	}
	return resolved;
}

/** Renders the templates and converts the Markdown of a request (its own or its parts'); 400 before any job exists. */
export async function resolveSources(env: Env, tenantId: string, body: Body): Promise<ResolvedSources> {
	const none: ResolvedSources = { template: null, markdown: null, parts: null };
	if (body.template) return { ...none, template: await renderTemplateRef(env, tenantId, body.template, "template", new HtmlBudget()) };
	if (body.markdown !== undefined) return { ...none, markdown: renderMarkdown(body.markdown, "markdown", new HtmlBudget(), body.pdf?.metadata?.language) };
	if (body.parts) return { ...none, parts: await resolveParts(env, tenantId, body, body.parts) };
	return none;
}

/** The record's fields for outputs, templates and parts, over what newJobRecord made of url | html. */
export function withSources(record: JobRecord, body: Body, resolved: ResolvedSources): JobRecord {
	const output = body.output ?? "pdf";
	const next: JobRecord = { ...record, output, filename: outputFilename(body.filename, record.id, output) };
	if (body.screenshot) next.screenshot = body.screenshot;
	if (body.preview) next.preview = body.preview;
	if (resolved.template) {
		next.source = templateSource(resolved.template);
		next.sourceKey = sourceKey(record.tenantId, record.id);
	}
	if (resolved.markdown) {
		next.source = { type: "markdown", bytes: resolved.markdown.bytes };
		next.sourceKey = sourceKey(record.tenantId, record.id);
	}
	if (resolved.parts) {
		next.source = { type: "parts", count: resolved.parts.length, parts: resolved.parts.map((r) => r.source) };
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

/** Puts the rendered template, the converted Markdown and the parts' HTML where the consumer reads them. */
export async function stashSources(env: Env, record: JobRecord, resolved: ResolvedSources): Promise<void> {
	const stash: Array<[string, string]> = [];
	const single = resolved.template ?? resolved.markdown;
	if (record.sourceKey && single) stash.push([record.sourceKey, single.html]);
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
