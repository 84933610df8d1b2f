// One stored template rendered with its data, for a render request (the whole request or one part):
// its includes resolved as pinning demands, every template it used recorded with its version, and
// its HTML counted against the request's HTML budget while it renders.
import type { TemplateUse } from "../schemas/job";
import type { TemplateRef } from "../schemas/outputs";
import { type IncludeSource, renderTemplate, TemplateBudgetError, TemplateError } from "../templates/liquid";
import { type TemplateObject, type TemplateSource, templateStub } from "../templates/template-object";
import { ApiError } from "./errors";
import type { HtmlBudget } from "./html-budget";
import { utf8Length } from "./html-budget";

export interface RenderedTemplate {
	html: string;
	bytes: number;
	id: string;
	version: number;
	/** The template itself first, then each include in the order first used. */
	templates: TemplateUse[];
}

type Pin = { id: string; version: number } | undefined;

export const templateFailure = (path: string, message: string) => new ApiError(400, "TEMPLATE_ERROR", message, { details: [{ path, message }] });

/**
 * The engine's include lookups, answered by the tenant's TemplateObject (as of `pin` when the render
 * names a version) and written down in `used` as they are answered.
 */
function recordingIncludes(store: DurableObjectStub<TemplateObject>, pin: Pin, used: TemplateUse[]): IncludeSource {
	return async (name) => {
		const found = await store.includeSource(name, pin);
		if (!found) return null;
		// Included by name and by id, or from two places: one entry.
		if (!used.some((u) => u.id === found.id && u.version === found.version)) used.push({ id: found.id, name: found.name, version: found.version });
		return found.html;
	};
}

/** 400 TEMPLATE_ERROR naming the request's HTML budget, what was left of it and where it ran out. */
function overBudget(path: string, source: TemplateSource, budget: HtmlBudget, left: number): ApiError {
	const which = `template ${source.name} v${source.version}`;
	const message =
		budget.spent === 0 && left === budget.limit
			? `${path}: ${which} renders more than ${budget.limit} bytes of HTML, the HTML budget of a request`
			: `${path}: ${which} renders more than the ${left} bytes of HTML left: the HTML budget of a request is ${budget.limit} bytes over all its parts, and the parts before this one made ${budget.spent}`;
	return templateFailure(path, message);
}

/**
 * Renders a stored template of the tenant with `ref.data`, within what is left of `budget` (and
 * counts its HTML there); 400 TEMPLATE_ERROR naming the line or the budget.
 */
export async function renderTemplateRef(env: Env, tenantId: string, ref: TemplateRef, path: string, budget: HtmlBudget): Promise<RenderedTemplate> {
	const store = templateStub(env, tenantId);
	const source = await store.source(ref.id, ref.version);
	if (!source) {
		const which = ref.version === undefined ? ref.id : `${ref.id} version ${ref.version}`;
		throw templateFailure(`${path}.id`, `template ${which} does not exist`);
	}
	const templates: TemplateUse[] = [{ id: source.id, name: source.name, version: source.version }];
	// Pinned means pinned: a render that names a version gets its includes as they were then.
	const pin: Pin = ref.version === undefined ? undefined : { id: source.id, version: source.version };
	const left = budget.left;
	let html: string;
	try {
		html = await renderTemplate(source.html, ref.data, { strict: ref.strict, include: recordingIncludes(store, pin, templates), maxBytes: left });
	} catch (err) {
		if (err instanceof TemplateBudgetError && err.budget === "output") throw overBudget(path, source, budget, left);
		if (err instanceof TemplateError) throw templateFailure(path, `template ${source.name} v${source.version}, ${err.message}`);
		throw err;
	}
	const bytes = utf8Length(html);
	if (!budget.take(bytes)) throw overBudget(path, source, budget, left);
	return { html, bytes, id: source.id, version: source.version, templates };
}
