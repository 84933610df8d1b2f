// Builds PDF values (§7.3) from the lexer's tokens: arrays, dictionaries, and indirect references
// `n g R`, which are only known to be references when their `R` arrives, so up to two integers wait.
// Two ways to keep what is read: everything (random access to one object of a PDF held in memory),
// or, for the streaming scanner, only the outermost dictionary's entries under the given keys, with
// nested containers and over-long tokens passed over as SKIPPED, so memory stays small however large
// the object a page made Chrome write. A few small entries the producer writes as containers (a
// catalog's /MarkInfo, a Type0 font's /DescendantFonts) may be named `whole`: kept with all they hold.
import { Lexer, type Token } from "./lexer";
import { isCount, isDict, PdfName, type PdfDict, PdfRef, PdfString, type PdfValue, SKIPPED } from "./values";

export interface BuildOptions {
	/** Keep only these entries of the outermost dictionary, and nothing nested; all of it when absent. */
	keys?: ReadonlySet<string>;
	/**
	 * Entries of the outermost dictionary (also listed in `keys`) whose container value is kept whole.
	 * Only for small values the producer writes, never for ones a page can make large (a /K array).
	 */
	whole?: ReadonlySet<string>;
}

interface Frame {
	kind: "top" | "array" | "dict";
	/** What is kept: the array's items, the dictionary, the top's values; null when passed over. */
	items: PdfValue[] | null;
	dict: PdfDict | null;
	/** A dictionary's key awaiting its value (null: the next value is a key; SKIPPED: a key not kept). */
	key: string | typeof SKIPPED | null;
	/** Integers that may yet be the object and generation numbers of a reference. */
	pending: number[];
}

const frame = (kind: Frame["kind"], kept: boolean): Frame => ({
	kind,
	items: kept && kind !== "dict" ? [] : null,
	dict: kept && kind === "dict" ? new Map() : null,
	key: null,
	pending: [],
});

/** One value from a sequence of tokens. The caller decides where the value ends (endobj, stream, or its own `>>`). */
export class ValueBuilder {
	private stack: Frame[] = [frame("top", true)];
	/** Containers open inside one that is passed over, by their opening delimiter: only their nesting matters. */
	private passed: string[] = [];
	/** The stack height at which a `whole` entry's container sits while it is read; null outside one. */
	private wholeAt: number | null = null;
	failure: string | null = null;

	constructor(private readonly options: BuildOptions = {}) {}

	/** Ready for the next value (the streaming scanner reads thousands of objects with one builder). */
	reset(): void {
		this.stack = [frame("top", true)];
		this.passed = [];
		this.wholeAt = null;
		this.failure = null;
	}

	/** Containers open: 0 at the value's own level. */
	get depth(): number {
		return this.stack.length - 1 + this.passed.length;
	}

	/** A complete value is held and nothing is open or waiting: a dictionary's or array's closing delimiter was read. */
	get closed(): boolean {
		const top = this.stack[0];
		return this.depth === 0 && top !== undefined && top.pending.length === 0 && (top.items?.length ?? 0) === 1;
	}

	push(token: Token): void {
		if (this.failure !== null) return;
		if (this.passed.length > 0) {
			this.passOver(token);
			return;
		}
		const current = this.stack[this.stack.length - 1] ?? frame("top", false);
		switch (token.kind) {
			case "number":
				if (token.integer && token.value >= 0) {
					current.pending.push(token.value);
					if (current.pending.length > 2) this.accept(current, current.pending.shift() ?? 0);
				} else this.flushThen(current, token.value);
				return;
			case "name":
				this.flush(current);
				if (current.kind === "dict" && current.key === null) {
					this.key(current, token.truncated ? null : token.value);
					return;
				}
				this.accept(current, token.truncated || this.unwanted(current) ? SKIPPED : new PdfName(token.value));
				return;
			case "string":
				this.flush(current);
				this.accept(current, token.truncated || this.unwanted(current) ? SKIPPED : new PdfString(token.value, token.hex));
				return;
			case "keyword":
				this.keyword(current, token.value);
				return;
			case "delimiter":
				this.delimiter(current, token.value);
				return;
			default:
				this.failure = token.value;
		}
	}

	/** The value read, once its level is complete. */
	finish(): PdfValue {
		const top = this.stack[0];
		if (this.failure === null && this.depth !== 0) this.failure = "a dictionary or array is not closed";
		if (top && this.failure === null) this.flush(top);
		const values = top?.items ?? [];
		if (this.failure === null && values.length !== 1) this.failure = `expected one value, read ${values.length}`;
		return values[0] ?? null;
	}

	private keyword(current: Frame, word: string): void {
		if (word === "R") {
			const [num, gen] = current.pending;
			if (current.pending.length !== 2 || num === undefined || gen === undefined) {
				this.failure = "R without an object and generation number";
				return;
			}
			current.pending = [];
			this.accept(current, new PdfRef(num, gen));
			return;
		}
		const value = word === "true" ? true : word === "false" ? false : word === "null" ? null : undefined;
		if (value === undefined) this.failure = `unexpected keyword '${word}'`;
		else this.flushThen(current, value);
	}

	/** Inside a container that is not kept: nothing is built, the delimiters are matched. */
	private passOver(token: Token): void {
		if (token.kind === "error") this.failure = token.value;
		if (token.kind !== "delimiter") return;
		if (token.value === "[" || token.value === "<<") {
			this.passed.push(token.value);
			return;
		}
		if (this.passed.pop() !== (token.value === "]" ? "[" : "<<")) this.failure = `unexpected '${token.value}'`;
		else if (this.passed.length === 0) this.accept(this.stack[this.stack.length - 1] ?? frame("top", false), SKIPPED);
	}

	private delimiter(current: Frame, delimiter: string): void {
		this.flush(current);
		if (delimiter === "[" || delimiter === "<<") {
			if (this.keeps(delimiter)) this.stack.push(frame(delimiter === "[" ? "array" : "dict", true));
			else this.passed.push(delimiter);
			return;
		}
		if (current.kind !== (delimiter === "]" ? "array" : "dict")) {
			this.failure = `unexpected '${delimiter}'`;
			return;
		}
		if (current.kind === "dict" && current.key !== null) {
			this.failure = "a dictionary key without a value";
			return;
		}
		this.stack.pop();
		if (this.wholeAt !== null && this.stack.length < this.wholeAt) this.wholeAt = null;
		const parent = this.stack[this.stack.length - 1];
		if (parent) this.accept(parent, current.dict ?? current.items ?? []);
	}

	/**
	 * Whether a container opened now is kept: always, or in the streaming mode an outermost
	 * dictionary, the value of one of its `whole` entries, and anything inside that value.
	 */
	private keeps(delimiter: string): boolean {
		if (this.options.keys === undefined || this.wholeAt !== null) return true;
		if (this.depth === 0) return delimiter === "<<";
		const current = this.stack[this.stack.length - 1];
		if (this.depth !== 1 || current?.kind !== "dict" || typeof current.key !== "string" || !this.options.whole?.has(current.key)) return false;
		// The container is pushed next: everything down from its height is kept.
		this.wholeAt = this.stack.length + 1;
		return true;
	}

	private flushThen(current: Frame, value: PdfValue): void {
		this.flush(current);
		this.accept(current, value);
	}

	private flush(current: Frame): void {
		for (const n of current.pending) this.accept(current, n);
		current.pending = [];
	}

	/** A dictionary key; null for an over-long name, never one we keep. */
	private key(current: Frame, name: string | null): void {
		const filtered = this.options.keys !== undefined && this.wholeAt === null && !this.options.keys.has(name ?? "");
		current.key = name === null || filtered ? SKIPPED : name;
	}

	/** The value of a dictionary entry that is not kept: not worth building. */
	private unwanted(current: Frame): boolean {
		return current.kind === "dict" && current.key === SKIPPED;
	}

	private accept(current: Frame, value: PdfValue): void {
		if (current.kind !== "dict") {
			current.items?.push(value);
			return;
		}
		if (current.key === null) {
			if (value instanceof PdfName) this.key(current, value.name);
			else this.failure = "a dictionary key that is not a name";
			return;
		}
		if (current.key !== SKIPPED) current.dict?.set(current.key, value);
		current.key = null;
	}
}

export interface ParsedObject {
	num: number;
	gen: number;
	value: PdfValue;
	/** For a stream: where its data starts, and its /Length when written directly. */
	stream: { start: number; length: number | null } | null;
}

/** The byte after a `stream` keyword's end of line (CRLF or LF). */
function streamStart(bytes: Uint8Array, keywordAt: number): number {
	let at = keywordAt + "stream".length;
	if (bytes[at] === 0x0d) at++;
	if (bytes[at] === 0x0a) at++;
	return at;
}

/** Runs `onToken` over `bytes` from `offset` until it stops the lexer; throws on a lexical error. */
function lexFrom(bytes: Uint8Array, offset: number, onToken: (token: Token, lexer: Lexer) => void): void {
	const lexer: Lexer = new Lexer((token) => onToken(token, lexer), { offset });
	lexer.push(bytes.subarray(offset));
	lexer.end();
}

/**
 * The indirect object `n g obj … endobj` at `offset` of a whole PDF in memory (an offset from its
 * xref table). Stream data is not read: its start and direct /Length are given instead.
 */
export function parseObjectAt(bytes: Uint8Array, offset: number): ParsedObject {
	const header: number[] = [];
	const builder = new ValueBuilder();
	let result: ParsedObject | null = null;
	lexFrom(bytes, offset, (token, lexer) => {
		if (header.length < 3) {
			const ok = header.length < 2 ? token.kind === "number" && isCount(token.value) : token.kind === "keyword" && token.value === "obj";
			if (!ok) throw new Error(`no object at offset ${offset}`);
			header.push(token.kind === "number" ? token.value : 0);
			return;
		}
		const ends = token.kind === "keyword" && (token.value === "endobj" || token.value === "stream") && builder.depth === 0;
		if (!ends) return builder.push(token);
		const value = builder.finish();
		if (builder.failure !== null) throw new Error(`object at offset ${offset}: ${builder.failure}`);
		const length = isDict(value) ? value.get("Length") : undefined;
		const stream = token.value === "stream" ? { start: streamStart(bytes, token.offset), length: isCount(length) ? length : null } : null;
		result = { num: header[0] ?? 0, gen: header[1] ?? 0, value, stream };
		lexer.stop();
	});
	if (!result) throw new Error(`object at offset ${offset} is not complete`);
	return result;
}

/** One direct value starting at `offset` (a trailer's dictionary after its keyword, say). */
export function parseValueAt(bytes: Uint8Array, offset: number): PdfValue {
	const builder = new ValueBuilder();
	let done = false;
	lexFrom(bytes, offset, (token, lexer) => {
		builder.push(token);
		if (builder.closed || builder.failure !== null) {
			done = true;
			lexer.stop();
		}
	});
	const value = builder.finish();
	if (builder.failure !== null || !done) throw new Error(`no complete value at offset ${offset}${builder.failure ? `: ${builder.failure}` : ""}`);
	return value;
}
