// Liquid (LiquidJS: a tree-walking interpreter, no eval or new Function, so it runs in Workers).
// Output is HTML-escaped by default (`| raw` opts out); includes name another template of the same
// tenant; an undefined variable is an error only when the render asks for `strict`.
// A render runs within budgets that count rather than time (see budget.ts): its output and every
// string it builds, array items, steps of work, and include depth and count.
import { Context, defaultOperators, filters, Liquid, type FS, type Template, toPromise } from "liquidjs";
import { BudgetExceeded, type BudgetName, RenderBudget } from "./budget";
import { guardedOperators, guardFilter, guardFilters } from "./guarded-filters";
import { guardIncludes } from "./guarded-tags";
import { CountingSink } from "./sink";

/** A template problem, with the line it is on (1-based) when the engine knows it. */
export class TemplateError extends Error {
	constructor(
		message: string,
		readonly line: number | null,
	) {
		super(message);
		this.name = "TemplateError";
	}
}

/**
 * A template that needs more than one of its render's budgets allows. `budget` names it ("output":
 * the HTML it may produce, `RenderOptions.maxBytes`), so the caller can say which budget ran out.
 */
export class TemplateBudgetError extends TemplateError {
	constructor(
		readonly budget: BudgetName,
		message: string,
	) {
		super(message, null);
		this.name = "TemplateBudgetError";
	}
}

/** Resolves `{% include "name" %}` / `{% render "name" %}` to that template's latest source, or null. */
export type IncludeSource = (name: string) => Promise<string | null>;

/** Source size per parse; everything a render does is counted by its RenderBudget instead of LiquidJS's limits. */
const PARSE_LIMIT = 4_000_000;

/** Includes go through `source`, one lookup per name per render (at most the budget's count of names); the file system is never touched. */
function tenantFs(source: IncludeSource, budget: RenderBudget | null): FS {
	const seen = new Map<string, Promise<string | null>>();
	const load = (name: string) => {
		let found = seen.get(name);
		if (!found) {
			if (budget && seen.size >= budget.limits.templates) throw budget.tooManyTemplates();
			found = source(name).then((html) => {
				if (html !== null) budget?.loadSource(html);
				return html;
			});
			seen.set(name, found);
		}
		return found;
	};
	return {
		resolve: (_dir, file) => file,
		exists: async (file) => (await load(file)) !== null,
		readFile: async (file) => {
			const html = await load(file);
			if (html === null) throw new Error(`no template named "${file}" to include`);
			return html;
		},
		existsSync: () => false,
		readFileSync: (file) => {
			throw new Error(`template "${file}" can only be included in an asynchronous render`);
		},
		contains: async () => true,
		dirname: () => "",
		sep: "/",
	};
}

const noIncludes: IncludeSource = async () => null;

const builtinEscape = filters.escape;

/** A LiquidJS engine for one render (its parsed includes cached for that render only), counting against `budget`. */
function engine(source: IncludeSource, budget: RenderBudget | null): Liquid {
	const liquid = new Liquid({
		parseLimit: PARSE_LIMIT,
		fs: tenantFs(source, budget),
		root: [""],
		relativeReference: false,
		extname: "",
		outputEscape: budget && typeof builtinEscape === "function" ? guardFilter(budget, "escape", builtinEscape) : "escape",
		operators: budget ? guardedOperators(budget, defaultOperators) : defaultOperators,
		strictFilters: true,
		ownPropertyOnly: true,
		// The engine lives for one render: a {% render %} in a 1,000-row loop parses its template once.
		cache: true,
	});
	// {{ 1234.5 | number: 2 }} -> 1,234.50 and {{ 9.9 | currency: "EUR", "de-DE" }} -> 9,90 €
	liquid.registerFilter("number", (value: unknown, decimals: unknown = 0, locale: unknown = "en-US") => {
		const digits = Math.min(20, Math.max(0, Number(decimals) || 0));
		return new Intl.NumberFormat(String(locale), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(value));
	});
	liquid.registerFilter("currency", (value: unknown, code: unknown = "USD", locale: unknown = "en-US") =>
		new Intl.NumberFormat(String(locale), { style: "currency", currency: String(code) }).format(Number(value)),
	);
	if (budget) guard(liquid, budget);
	return liquid;
}

/** Every filter, operator, nesting tag and block render of `liquid` counted against `budget`. */
function guard(liquid: Liquid, budget: RenderBudget): void {
	guardFilters(liquid, budget);
	guardIncludes(liquid, budget);
	const renderer = liquid.renderer;
	const renderTemplates = renderer.renderTemplates.bind(renderer);
	// Every block (a loop's body each turn, an if branch, an include) comes through here: its nodes are
	// its steps, and a block rendered into a string (capture) gets a sink counting that string.
	renderer.renderTemplates = (templates, ctx, emitter) => {
		budget.step(blockSteps(templates));
		return renderTemplates(templates, ctx, emitter ?? new CountingSink(budget, "string"));
	};
}

const stepsOf = new WeakMap<Template[], number>();

/** A step for the block, one per node, and one more per 256 characters of a node's own source. */
function blockSteps(templates: Template[]): number {
	let steps = stepsOf.get(templates);
	if (steps === undefined) {
		steps = 1;
		for (const t of templates) steps += 1 + ((t.token.end - t.token.begin) >>> 8);
		stepsOf.set(templates, steps);
	}
	return steps;
}

/** The budget error behind what LiquidJS threw (it wraps errors raised inside tags and filters), if any. */
function budgetBehind(err: unknown): BudgetExceeded | null {
	for (let e = err, i = 0; e instanceof Error && i < 20; e = (e as { originalError?: unknown }).originalError, i++) {
		if (e instanceof BudgetExceeded) return e;
	}
	return null;
}

/** What LiquidJS threw, as a TemplateError naming the line (a TemplateBudgetError naming the budget). */
function templateError(err: unknown): TemplateError {
	const budget = budgetBehind(err);
	if (budget) return new TemplateBudgetError(budget.budget, budget.message);
	if (!(err instanceof Error)) return new TemplateError(String(err), null);
	const token = (err as { token?: { getPosition?: () => number[] } }).token;
	const line = token?.getPosition?.()[0] ?? Number(err.message.match(/line:(\d+)/)?.[1] ?? NaN);
	// LiquidJS appends "[, file:name], line:3, col:1"; the line (and the included template it is in) is said once, up front.
	const file = err.message.match(/,? ?file:(.*?), line:\d+, col:\d+\s*$/)?.[1];
	const message = err.message.replace(/,? ?(file:.*?, )?line:\d+, col:\d+\s*$/, "");
	const where = file ? `line ${line} of included template "${file}"` : `line ${line}`;
	return Number.isFinite(line) ? new TemplateError(`${where}: ${message}`, line) : new TemplateError(message, null);
}

/** Parses `html` as Liquid; throws TemplateError (with the line) on a syntax error. */
export function checkSyntax(html: string): void {
	try {
		engine(noIncludes, null).parse(html);
	} catch (err) {
		throw templateError(err);
	}
}

export interface RenderOptions {
	strict: boolean;
	include: IncludeSource;
	/** UTF-8 bytes of output this render may make (default 10 MiB): what is left of the request's HTML. */
	maxBytes?: number;
	/** The counters to render against, to read what the render spent (a new one by default). */
	budget?: RenderBudget;
}

/** The HTML a template makes with `data`; throws TemplateError naming the line, or the budget it ran out of. */
export async function renderTemplate(html: string, data: Record<string, unknown>, options: RenderOptions): Promise<string> {
	const budget = options.budget ?? new RenderBudget();
	if (options.maxBytes !== undefined) budget.limits.outputBytes = Math.min(budget.limits.outputBytes, options.maxBytes);
	const liquid = engine(options.include, budget);
	try {
		const templates = liquid.parse(html);
		const ctx = new Context(data, liquid.options, { strictVariables: options.strict, sync: false }, { liquid });
		// LiquidJS calls this before it makes a range and, in some filters, before it builds a string.
		ctx.memoryLimit.use = (count) => budget.liquidCharge(count);
		const output = new CountingSink(budget, "output");
		await toPromise(liquid.renderer.renderTemplates(templates, ctx, output));
		return output.buffer;
	} catch (err) {
		if (err instanceof TemplateError) throw err;
		throw templateError(err);
	}
}
