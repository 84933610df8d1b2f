// Liquid (LiquidJS: a tree-walking interpreter, no eval or new Function, so it runs in Workers).
// Output is HTML-escaped by default (`| raw` opts out); includes name another template of the same
// tenant; an undefined variable is an error only when the render asks for `strict`.
import { Liquid, type FS } from "liquidjs";

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
		readonly budget: string,
		message: string,
	) {
		super(`${budget} budget: ${message}`, null);
		this.name = "TemplateBudgetError";
	}
}

/** Resolves `{% include "name" %}` / `{% render "name" %}` to that template's latest source, or null. */
export type IncludeSource = (name: string) => Promise<string | null>;

/** Guards against templates that would pin a Worker: source size, render time, allocations. */
const LIMITS = { parseLimit: 4_000_000, renderLimit: 10_000, memoryLimit: 64_000_000 };

/** Includes go through `source`, one lookup per name per render; the file system is never touched. */
function tenantFs(source: IncludeSource): FS {
	const seen = new Map<string, Promise<string | null>>();
	const load = (name: string) => {
		let found = seen.get(name);
		if (!found) {
			found = source(name);
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

function engine(source: IncludeSource): Liquid {
	const liquid = new Liquid({
		...LIMITS,
		fs: tenantFs(source),
		root: [""],
		relativeReference: false,
		extname: "",
		outputEscape: "escape",
		strictFilters: true,
		ownPropertyOnly: true,
		cache: false,
	});
	// {{ 1234.5 | number: 2 }} -> 1,234.50 and {{ 9.9 | currency: "EUR", "de-DE" }} -> 9,90 €
	liquid.registerFilter("number", (value: unknown, decimals: unknown = 0, locale: unknown = "en-US") => {
		const digits = Math.min(20, Math.max(0, Number(decimals) || 0));
		return new Intl.NumberFormat(String(locale), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(value));
	});
	liquid.registerFilter("currency", (value: unknown, code: unknown = "USD", locale: unknown = "en-US") =>
		new Intl.NumberFormat(String(locale), { style: "currency", currency: String(code) }).format(Number(value)),
	);
	return liquid;
}

/** What LiquidJS threw, as a TemplateError naming the line. */
function templateError(err: unknown): TemplateError {
	if (!(err instanceof Error)) return new TemplateError(String(err), null);
	const token = (err as { token?: { getPosition?: () => number[] } }).token;
	const line = token?.getPosition?.()[0] ?? Number(err.message.match(/line:(\d+)/)?.[1] ?? NaN);
	// LiquidJS appends ", line:3, col:1"; the line is said once, up front.
	const message = err.message.replace(/,? ?line:\d+, col:\d+\s*$/, "");
	return Number.isFinite(line) ? new TemplateError(`line ${line}: ${message}`, line) : new TemplateError(message, null);
}

/** Parses `html` as Liquid; throws TemplateError (with the line) on a syntax error. */
export function checkSyntax(html: string): void {
	try {
		engine(noIncludes).parse(html);
	} catch (err) {
		throw templateError(err);
	}
}

export interface RenderOptions {
	strict: boolean;
	include: IncludeSource;
	/** The most UTF-8 bytes of HTML this render may produce (the caller's budget left for it). */
	maxBytes?: number;
}

/** Over `maxBytes`: a TemplateBudgetError naming the output budget. */
function checkOutput(html: string, maxBytes: number | undefined): string {
	if (maxBytes !== undefined && new TextEncoder().encode(html).byteLength > maxBytes) {
		throw new TemplateBudgetError("output", `the HTML is more than the ${maxBytes} bytes this render may produce`);
	}
	return html;
}

/** The HTML a template makes with `data`; throws TemplateError naming the line. */
export async function renderTemplate(html: string, data: Record<string, unknown>, options: RenderOptions): Promise<string> {
	const liquid = engine(options.include);
	try {
		return checkOutput(await liquid.parseAndRender(html, data, { strictVariables: options.strict }), options.maxBytes);
	} catch (err) {
		if (err instanceof TemplateError) throw err;
		throw templateError(err);
	}
}
