// A tokenizer for PDF syntax (ISO 32000-1 §7.2-7.3) that can be fed a document in chunks of any
// size: every token may be cut by a chunk boundary, and the state carried between chunks is one
// unfinished token (capped by `maxTokenBytes`), never the document. Stream data is never tokenized:
// the parser hands it back with skipStream() right after the `stream` keyword, and the lexer passes
// over it by its length, or scans for `endstream` when the length is not known.

export type Delimiter = "<<" | ">>" | "[" | "]";

interface NumberToken {
	kind: "number";
	value: number;
	integer: boolean;
	offset: number;
}
interface KeywordToken {
	kind: "keyword";
	value: string;
	offset: number;
}
/** A name without its slash, #xx escapes decoded, one character per byte. */
interface NameToken {
	kind: "name";
	value: string;
	truncated: boolean;
	offset: number;
}
interface StringToken {
	kind: "string";
	value: Uint8Array;
	hex: boolean;
	truncated: boolean;
	offset: number;
}
interface DelimiterToken {
	kind: "delimiter";
	value: Delimiter;
	offset: number;
}
interface ErrorToken {
	kind: "error";
	value: string;
	offset: number;
}

/**
 * One token, valid only during the sink's call: the lexer reuses one object per kind (a PDF's
 * structure is hundreds of thousands of tokens, and allocating each was most of the reader's cost).
 */
export type Token = NumberToken | KeywordToken | NameToken | StringToken | DelimiterToken | ErrorToken;

export interface LexerOptions {
	/** Bytes kept of one name, string or keyword; longer ones are marked truncated (and still passed over whole). */
	maxTokenBytes?: number;
	/** Absolute offset of the first byte pushed (when lexing starts inside a document). */
	offset?: number;
}

enum State {
	Idle,
	Comment,
	Regular,
	Name,
	Literal,
	Hex,
	/** After `<`: a dictionary's `<<` or a hex string. */
	Less,
	/** After `>`: must be the second `>` of `>>`. */
	Greater,
	/** After the `stream` keyword: its end-of-line (CRLF or LF). */
	StreamEol,
	StreamEolCr,
	StreamData,
	StreamScan,
}

enum Escape {
	None,
	Backslash,
	Octal,
	/** After a CR (escaped or not): a following LF belongs to the same end of line. */
	Cr,
}

const CR = 0x0d;
const LF = 0x0a;
const WHITESPACE = 1;
const DELIMITER = 2;

/** Byte classes (§7.2.2): whitespace, delimiters, and everything else (regular characters). */
const CLASS = new Uint8Array(256);
for (const b of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) CLASS[b] = WHITESPACE;
for (const c of "()<>[]{}/%") CLASS[c.charCodeAt(0)] = DELIMITER;

const hexValue = (b: number): number => {
	if (b >= 0x30 && b <= 0x39) return b - 0x30;
	const lower = b | 0x20;
	return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
};

const ENDSTREAM = Uint8Array.from("endstream", (c) => c.charCodeAt(0));
/** KMP fallback of "endstream": after a mismatch only its one repeated letter, the `e`, can restart a match. */
const ENDSTREAM_FALLBACK = [0, 0, 0, 0, 0, 0, 0, 1, 0];

/** Latin-1 text of bytes. Names and keywords are short: a plain loop beats a subarray view for them. */
function latin1(bytes: Uint8Array, from: number, to: number): string {
	let text = "";
	if (to - from <= 16) {
		for (let j = from; j < to; j++) text += String.fromCharCode(bytes[j] ?? 0);
		return text;
	}
	for (let j = from; j < to; j += 4096) text += String.fromCharCode.apply(null, bytes.subarray(j, Math.min(to, j + 4096)) as unknown as number[]);
	return text;
}

/**
 * The text of short names and keywords, reused: a PDF's structure repeats a few dozen of them
 * (/Type, /StructElem, obj, R) hundreds of thousands of times. A small table indexed by a hash of
 * the bytes, so a page that makes Chrome write many distinct names cannot grow it.
 */
class Interned {
	private readonly bytes: (Uint8Array | undefined)[] = new Array(256);
	private readonly texts: string[] = new Array(256);

	text(bytes: Uint8Array, length: number): string {
		if (length > 24) return latin1(bytes, 0, length);
		let hash = length;
		for (let i = 0; i < length; i++) hash = (hash * 31 + (bytes[i] ?? 0)) & 0xff;
		const held = this.bytes[hash];
		if (held !== undefined && held.length === length) {
			let same = true;
			for (let i = 0; i < length && same; i++) same = held[i] === bytes[i];
			if (same) return this.texts[hash] ?? "";
		}
		const text = latin1(bytes, 0, length);
		this.bytes[hash] = bytes.slice(0, length);
		this.texts[hash] = text;
		return text;
	}
}

export class Lexer {
	private state = State.Idle;
	private base: number;
	private stopped = false;
	private readonly max: number;
	/** The unfinished token: where it began and what is kept of it. */
	private start = 0;
	private bytes = new Uint8Array(64);
	private length = 0;
	private truncated = false;
	/** Literal strings: parenthesis depth and escape state; hex strings and names: a pending nibble. */
	private depth = 0;
	private escape = Escape.None;
	private octal = 0;
	private octalDigits = 0;
	private nibble = -1;
	/** Names: digits read after a '#' (0: none pending), their value, and the first digit as written. */
	private nameHex = 0;
	private nameHexValue = 0;
	private nameHexFirst = 0;
	/** Streams: the length still to pass over, or the progress of the `endstream` match. */
	private remaining: number | null = null;
	private matched = 0;

	constructor(
		private readonly sink: (token: Token) => void,
		options: LexerOptions = {},
	) {
		this.max = options.maxTokenBytes ?? Number.POSITIVE_INFINITY;
		this.base = options.offset ?? 0;
	}

	/** Called by the parser right after a `stream` keyword: pass over `length` bytes of data, or to `endstream`. */
	skipStream(length: number | null): void {
		this.remaining = length;
		this.state = State.StreamEol;
	}

	/** No more tokens are wanted: the rest of the current chunk is left alone. */
	stop(): void {
		this.stopped = true;
	}

	push(chunk: Uint8Array): void {
		let i = 0;
		while (i < chunk.length && !this.stopped) i = this.step(chunk, i);
		this.base += chunk.length;
	}

	/** The document ended: a token still open is finished, or reported unterminated. */
	end(): void {
		if (this.stopped) return;
		const at = this.base;
		switch (this.state) {
			case State.Regular:
				this.finishRegular();
				break;
			case State.Name:
				this.finishName();
				break;
			case State.Idle:
			case State.Comment:
				break;
			case State.StreamEol:
			case State.StreamEolCr:
			case State.StreamData:
			case State.StreamScan:
				this.error("the document ends inside a stream", at);
				break;
			default:
				this.error("the document ends inside a token", at);
		}
		this.state = State.Idle;
	}

	private readonly interned = new Interned();
	private readonly number: NumberToken = { kind: "number", value: 0, integer: true, offset: 0 };
	private readonly keyword: KeywordToken = { kind: "keyword", value: "", offset: 0 };
	private readonly nameToken: NameToken = { kind: "name", value: "", truncated: false, offset: 0 };
	private readonly string: StringToken = { kind: "string", value: new Uint8Array(0), hex: false, truncated: false, offset: 0 };
	private readonly delimiter: DelimiterToken = { kind: "delimiter", value: "[", offset: 0 };
	private readonly errorToken: ErrorToken = { kind: "error", value: "", offset: 0 };

	private emit(token: Token): void {
		this.state = State.Idle;
		this.sink(token);
	}

	private emitDelimiter(value: Delimiter, offset: number): void {
		this.delimiter.value = value;
		this.delimiter.offset = offset;
		this.emit(this.delimiter);
	}

	private emitKeyword(value: string, offset: number): void {
		this.keyword.value = value;
		this.keyword.offset = offset;
		this.emit(this.keyword);
	}

	private error(message: string, offset: number): void {
		this.errorToken.value = message;
		this.errorToken.offset = offset;
		this.emit(this.errorToken);
	}

	/** Handles the byte at `i` (and, where it can, the run after it); returns the next unread index. */
	private step(chunk: Uint8Array, i: number): number {
		switch (this.state) {
			case State.Idle:
				return this.idle(chunk, i);
			case State.Comment:
				return this.comment(chunk, i);
			case State.Regular:
				return this.regular(chunk, i);
			case State.Name:
				return this.name(chunk, i);
			case State.Literal:
				return this.literal(chunk, i);
			case State.Hex:
				return this.hex(chunk, i);
			case State.Less:
				return this.less(chunk, i);
			case State.Greater:
				if (chunk[i] === 0x3e) this.emitDelimiter(">>", this.start);
				else this.error("a lone '>'", this.start);
				return chunk[i] === 0x3e ? i + 1 : i;
			default:
				return this.stream(chunk, i);
		}
	}

	private begin(state: State, offset: number): void {
		this.state = state;
		this.start = offset;
		this.length = 0;
		this.truncated = false;
	}

	private idle(chunk: Uint8Array, i: number): number {
		while (i < chunk.length && CLASS[chunk[i] ?? 0] === WHITESPACE) i++;
		if (i >= chunk.length) return i;
		const b = chunk[i] ?? 0;
		const at = this.base + i;
		switch (b) {
			case 0x25: // %
				this.state = State.Comment;
				return i + 1;
			case 0x2f: // /
				this.begin(State.Name, at);
				this.nameHex = 0;
				return i + 1;
			case 0x28: // (
				this.begin(State.Literal, at);
				this.depth = 1;
				this.escape = Escape.None;
				return i + 1;
			case 0x3c: // <
				this.begin(State.Less, at);
				return i + 1;
			case 0x3e: // >
				this.begin(State.Greater, at);
				return i + 1;
			case 0x5b: // [
				this.emitDelimiter("[", at);
				return i + 1;
			case 0x5d: // ]
				this.emitDelimiter("]", at);
				return i + 1;
		}
		if (CLASS[b] === DELIMITER) {
			// ')' outside a string, or '{' '}', which belong only inside PostScript function streams.
			this.error(`unexpected '${String.fromCharCode(b)}'`, at);
			return i + 1;
		}
		this.begin(State.Regular, at);
		return i;
	}

	private comment(chunk: Uint8Array, i: number): number {
		while (i < chunk.length && chunk[i] !== CR && chunk[i] !== LF) i++;
		if (i < chunk.length) this.state = State.Idle;
		return i;
	}

	/** A number or a keyword: a run of regular characters, ended by whitespace or a delimiter (not consumed). */
	private regular(chunk: Uint8Array, i: number): number {
		const from = i;
		while (i < chunk.length && CLASS[chunk[i] ?? 0] === 0) i++;
		this.keepBytes(chunk, from, i);
		if (i < chunk.length) this.finishRegular();
		return i;
	}

	private finishRegular(): void {
		if (this.truncated) {
			this.error("a keyword or number longer than the reader keeps", this.start);
			return;
		}
		if (this.readNumber()) {
			this.number.offset = this.start;
			this.emit(this.number);
		} else this.emitKeyword(this.interned.text(this.bytes, this.length), this.start);
	}

	/**
	 * The kept bytes as a number (§7.3.3: optional sign, digits with at most one period, at least one
	 * digit) into the number token; false for a keyword. Integers are summed from their digits: most
	 * tokens of a PDF's structure are integers (object numbers, offsets).
	 */
	private readNumber(): boolean {
		let digits = 0;
		let dots = 0;
		let value = 0;
		for (let i = 0; i < this.length; i++) {
			const c = this.bytes[i] ?? 0;
			if (c >= 0x30 && c <= 0x39) {
				digits++;
				value = value * 10 + (c - 0x30);
			} else if (c === 0x2e) dots++;
			else if (!(i === 0 && (c === 0x2b || c === 0x2d))) return false;
		}
		if (digits === 0 || dots > 1) return false;
		this.number.integer = dots === 0;
		this.number.value = dots === 1 ? Number(latin1(this.bytes, 0, this.length)) : this.bytes[0] === 0x2d ? -value : value;
		return true;
	}

	/** Keeps chunk[from, to) of the current token, up to the cap. */
	private keepBytes(chunk: Uint8Array, from: number, to: number): void {
		const room = Math.max(0, Math.min(to - from, this.max - this.length));
		if (room < to - from) this.truncated = true;
		if (room === 0) return;
		this.reserve(this.length + room);
		if (room > 32) this.bytes.set(chunk.subarray(from, from + room), this.length);
		else for (let j = 0; j < room; j++) this.bytes[this.length + j] = chunk[from + j] ?? 0;
		this.length += room;
	}

	private reserve(size: number): void {
		if (size <= this.bytes.length) return;
		const grown = new Uint8Array(Math.max(size, this.bytes.length * 2));
		grown.set(this.bytes.subarray(0, this.length));
		this.bytes = grown;
	}

	private keepByte(b: number): void {
		if (this.length >= this.max) {
			this.truncated = true;
			return;
		}
		this.reserve(this.length + 1);
		this.bytes[this.length++] = b;
	}

	/** A name (§7.3.5): regular characters after the slash, #xx a byte written in hex. */
	private name(chunk: Uint8Array, i: number): number {
		for (; i < chunk.length; i++) {
			const b = chunk[i] ?? 0;
			if (this.nameHex > 0) {
				const v = hexValue(b);
				if (v >= 0) {
					if (this.nameHex === 1) this.nameHexFirst = b;
					this.nameHexValue = this.nameHexValue * 16 + v;
					if (++this.nameHex === 3) {
						this.keepByte(this.nameHexValue);
						this.nameHex = 0;
					}
					continue;
				}
				this.flushNameHex();
			}
			if (CLASS[b] !== 0) break;
			if (b === 0x23) {
				this.nameHex = 1;
				this.nameHexValue = 0;
				continue;
			}
			// The common case: a run of plain characters, kept at once.
			let end = i + 1;
			while (end < chunk.length && CLASS[chunk[end] ?? 0] === 0 && chunk[end] !== 0x23) end++;
			this.keepBytes(chunk, i, end);
			i = end - 1;
		}
		if (i < chunk.length) this.finishName();
		return i;
	}

	/** Not two hex digits after a '#': the '#' and a digit read stand for themselves, as readers do. */
	private flushNameHex(): void {
		if (this.nameHex > 0) this.keepByte(0x23);
		if (this.nameHex === 2) this.keepByte(this.nameHexFirst);
		this.nameHex = 0;
	}

	private finishName(): void {
		this.flushNameHex();
		this.nameToken.value = this.interned.text(this.bytes, this.length);
		this.nameToken.truncated = this.truncated;
		this.nameToken.offset = this.start;
		this.emit(this.nameToken);
	}

	private finishString(hex: boolean): void {
		this.string.value = this.bytes.slice(0, this.length);
		this.string.hex = hex;
		this.string.truncated = this.truncated;
		this.string.offset = this.start;
		this.emit(this.string);
	}

	/** A literal string (§7.3.4.2): balanced parentheses, backslash escapes, any end of line read as LF. */
	private literal(chunk: Uint8Array, i: number): number {
		for (; i < chunk.length; i++) {
			const b = chunk[i] ?? 0;
			if (this.escape !== Escape.None && !this.escaped(b)) continue;
			if (b === 0x5c) this.escape = Escape.Backslash;
			else if (b === CR) {
				this.keepByte(LF);
				this.escape = Escape.Cr;
			} else if (b === 0x28) {
				this.depth++;
				this.keepByte(b);
			} else if (b === 0x29) {
				if (--this.depth === 0) {
					this.finishString(false);
					return i + 1;
				}
				this.keepByte(b);
			} else this.keepByte(b);
		}
		return i;
	}

	/**
	 * Continues an escape with byte `b`. True when `b` is not part of it and must be read as an
	 * ordinary byte of the string (after an octal escape of fewer than three digits, or a CR not followed by LF).
	 */
	private escaped(b: number): boolean {
		switch (this.escape) {
			case Escape.Backslash:
				this.escape = Escape.None;
				if (b >= 0x30 && b <= 0x37) {
					this.escape = Escape.Octal;
					this.octal = b - 0x30;
					this.octalDigits = 1;
				} else if (b === CR)
					this.escape = Escape.Cr; // a line continuation: no byte
				else if (b !== LF) this.keepByte(ESCAPES.get(b) ?? b);
				return false;
			case Escape.Octal:
				if (b >= 0x30 && b <= 0x37 && this.octalDigits < 3) {
					this.octal = this.octal * 8 + (b - 0x30);
					if (++this.octalDigits === 3) {
						this.keepByte(this.octal & 0xff);
						this.escape = Escape.None;
					}
					return false;
				}
				this.keepByte(this.octal & 0xff);
				this.escape = Escape.None;
				return true;
			default:
				this.escape = Escape.None;
				return b !== LF;
		}
	}

	private less(chunk: Uint8Array, i: number): number {
		if (chunk[i] === 0x3c) {
			this.emitDelimiter("<<", this.start);
			return i + 1;
		}
		this.state = State.Hex;
		this.nibble = -1;
		return i;
	}

	/** A hex string (§7.3.4.3): whitespace ignored, an odd last digit padded with 0. */
	private hex(chunk: Uint8Array, i: number): number {
		for (; i < chunk.length; i++) {
			const b = chunk[i] ?? 0;
			if (b === 0x3e) {
				if (this.nibble >= 0) this.keepByte(this.nibble << 4);
				this.finishString(true);
				return i + 1;
			}
			if (CLASS[b] === WHITESPACE) continue;
			const v = hexValue(b);
			if (v < 0) {
				this.error("a hex string with a character that is not a hex digit", this.start);
				return i;
			}
			if (this.nibble < 0) this.nibble = v;
			else {
				this.keepByte((this.nibble << 4) | v);
				this.nibble = -1;
			}
		}
		return i;
	}

	/** Stream data (§7.3.8): the end of line after `stream`, then the data, never read as tokens. */
	private stream(chunk: Uint8Array, i: number): number {
		switch (this.state) {
			case State.StreamEol:
				if (chunk[i] === CR) {
					this.state = State.StreamEolCr;
					return i + 1;
				}
				this.beginData();
				return chunk[i] === LF ? i + 1 : i;
			case State.StreamEolCr:
				this.beginData();
				return chunk[i] === LF ? i + 1 : i;
			case State.StreamData: {
				const take = Math.min(this.remaining ?? 0, chunk.length - i);
				this.remaining = (this.remaining ?? 0) - take;
				if (this.remaining === 0) this.state = State.Idle;
				return i + take;
			}
			default:
				return this.scanForEnd(chunk, i);
		}
	}

	private beginData(): void {
		if (this.remaining === null) {
			this.state = State.StreamScan;
			this.matched = 0;
		} else this.state = this.remaining > 0 ? State.StreamData : State.Idle;
	}

	private scanForEnd(chunk: Uint8Array, i: number): number {
		for (; i < chunk.length; i++) {
			const b = chunk[i];
			while (this.matched > 0 && b !== ENDSTREAM[this.matched]) this.matched = ENDSTREAM_FALLBACK[this.matched] ?? 0;
			if (b === ENDSTREAM[this.matched]) this.matched++;
			if (this.matched === ENDSTREAM.length) {
				this.emitKeyword("endstream", this.base + i + 1 - ENDSTREAM.length);
				return i + 1;
			}
		}
		return i;
	}
}

/** The one-letter escapes of literal strings (\n \r \t \b \f); any other escaped byte stands for itself. */
const ESCAPES = new Map([
	[0x6e, LF],
	[0x72, CR],
	[0x74, 0x09],
	[0x62, 0x08],
	[0x66, 0x0c],
]);
