// What one template render may spend, counted as it goes and never read from a clock: a deployed
// Worker's clock stands still while a template loops without I/O, so a deadline could never fire.
// Every number here was measured against a generous real invoice and given headroom (docs/security.md).
import { MAX_HTML_BYTES } from "../schemas/render-request";
import { utf8Bytes } from "./text-size";

export const TEMPLATE_LIMITS = {
	/** UTF-8 bytes of output, unless the caller passes less (what is left of the request's HTML). */
	outputBytes: MAX_HTML_BYTES,
	/** UTF-8 bytes of the largest string a template may build: a capture, a filter's result. */
	stringBytes: MAX_HTML_BYTES,
	/** UTF-8 bytes of every string built, and every included source loaded, over one render. */
	builtBytes: 4 * MAX_HTML_BYTES,
	/** Array elements made over one render: ranges, `split`, filters' arrays (nested ones counted unfolded). */
	items: 2_000_000,
	/** Units of work: a template node rendered, a loop turn, a filter or operator call, 1 KiB scanned. */
	steps: 600_000,
	/** `include`/`render`/`layout` nesting. */
	includeDepth: 10,
	/** Distinct templates one render may include. */
	templates: 100,
} as const;

export type TemplateLimits = { -readonly [K in keyof typeof TEMPLATE_LIMITS]: number };

/** The budgets a render can run out of, as errors name them. */
export type BudgetName = "output" | "string" | "item" | "work" | "include";

/** A budget ran out; `budget` and the message name it. */
export class BudgetExceeded extends Error {
	constructor(
		readonly budget: BudgetName,
		message: string,
	) {
		super(message);
		this.name = "BudgetExceeded";
	}
}

const MiB = 1024 * 1024;
const size = (bytes: number) => (bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes.toLocaleString("en-US")} bytes`);

/** The counters of one render. One render runs one step at a time, so plain fields are enough. */
export class RenderBudget {
	readonly limits: TemplateLimits;
	steps = 0;
	output = 0;
	built = 0;
	items = 0;
	depth = 0;
	/** The largest string (UTF-8 bytes) the render held at any point: its sinks and filters' results. */
	largest = 0;
	/** What LiquidJS itself charged inside the filter call running now, in UTF-16 code units. */
	private filterCharge = 0;
	private inFilter = 0;

	constructor(limits: Partial<TemplateLimits> = {}) {
		this.limits = { ...TEMPLATE_LIMITS, ...limits };
	}

	step(units: number): void {
		this.steps += units;
		if (this.steps > this.limits.steps)
			throw new BudgetExceeded("work", `the template did more than ${this.limits.steps.toLocaleString("en-US")} steps (work budget)`);
	}

	/** Before writing `bytes` more to the output, which already holds `held`. */
	writeOutput(held: number, bytes: number): void {
		if (held + bytes > this.limits.outputBytes)
			throw new BudgetExceeded("output", `the template built more than ${size(this.limits.outputBytes)} of output (output budget)`);
		this.output = held + bytes;
		this.largest = Math.max(this.largest, this.output);
	}

	/** Before a string of `bytes` is built (or a string being built grows to `bytes`, by `added`). */
	buildString(bytes: number, added = bytes): void {
		if (bytes > this.limits.stringBytes)
			throw new BudgetExceeded("string", `the template built a string of more than ${size(this.limits.stringBytes)} (string budget)`);
		if (this.built + added > this.limits.builtBytes)
			throw new BudgetExceeded("string", `the template built more than ${size(this.limits.builtBytes)} of strings in all (string budget)`);
		this.built += added;
		this.largest = Math.max(this.largest, bytes);
	}

	/** An included template's source, held for the rest of the render. */
	loadSource(html: string): void {
		this.buildString(0, utf8Bytes(html));
		// Parsing is work too, about a step per 64 characters.
		this.step(1 + (html.length >>> 6));
	}

	allocate(items: number): void {
		this.items += items;
		if (this.items > this.limits.items)
			throw new BudgetExceeded("item", `the template made more than ${this.limits.items.toLocaleString("en-US")} array items (item budget)`);
	}

	enterInclude(): void {
		if (this.depth >= this.limits.includeDepth) throw new BudgetExceeded("include", `includes nested deeper than ${this.limits.includeDepth} (include budget)`);
		this.depth++;
	}

	leaveInclude(): void {
		this.depth--;
	}

	tooManyTemplates(): BudgetExceeded {
		return new BudgetExceeded("include", `more than ${this.limits.templates} distinct templates included (include budget)`);
	}

	/** Around a filter call: what LiquidJS charges to its memory limiter meanwhile is that filter's allocation. */
	enterFilter(): void {
		this.inFilter++;
		this.filterCharge = 0;
	}

	leaveFilter(): void {
		this.inFilter--;
	}

	/**
	 * LiquidJS's own memory accounting, called before it allocates: inside a filter it sizes the string
	 * about to be built (code units never exceed UTF-8 bytes, so over the cap in units is over in bytes);
	 * outside a filter only a range `(a..b)` charges it, with the number of elements it is about to make.
	 */
	liquidCharge(count: number): void {
		if (!(count > 0)) return;
		if (this.inFilter === 0) {
			this.allocate(count);
			return;
		}
		this.filterCharge += count;
		if (this.filterCharge > this.limits.stringBytes)
			throw new BudgetExceeded("string", `the template built a string of more than ${size(this.limits.stringBytes)} (string budget)`);
	}
}
