// Reads a whole PDF's structure as it streams past, keeping only what was asked for: the objects a
// caller's `keep` chooses (their outermost dictionary's entries under `keys`), the xref entries of
// those objects, and each xref section's trailer. At the end, references resolve as a reader would:
// from the newest trailer (the one the last `startxref` names), through the chain of /Prev, so an
// incremental update's definition of an object replaces the older one (ISO 32000-1 §7.5.4-7.5.6).
// Only classic xref tables are read: cross-reference streams and object streams (§7.5.7-7.5.8), which
// none of our producers write, leave references unresolved, and the caller decides what that means.
import { Lexer, type Token } from "./lexer";
import { ValueBuilder } from "./objects";
import { isCount, isDict, isRef, type PdfDict, PdfRef, type PdfValue } from "./values";

/** The PDF's structure could not be read far enough to answer; `message` says where it stopped. */
export class UnreadablePdf extends Error {}

export interface IndirectObject {
	num: number;
	gen: number;
	/** Where `num gen obj` starts: what an xref entry points at. */
	offset: number;
	value: PdfValue;
}

export interface ScannerOptions {
	/** Dictionary entries read into an object's value; anything else is passed over. */
	keys: readonly string[];
	/** Entries among `keys` whose (small, producer-written) container value is kept whole (objects.ts). */
	whole?: readonly string[];
	/** Which objects to remember for resolve(); called with each object as read. */
	keep: (object: IndirectObject) => boolean;
	/** Bytes kept of one name or string (longer ones are passed over); bounds the memory a page can make us use. */
	maxTokenBytes?: number;
}

interface XrefEntry {
	offset: number;
	gen: number;
	free: boolean;
}

interface XrefSection {
	/** Entries for kept object numbers only: the rest cannot resolve to anything we hold. */
	entries: Map<number, XrefEntry>;
	trailer: PdfDict | null;
}

/** What a trailer must carry to be followed; read whatever the caller's keys are. */
const TRAILER_KEYS = new Set(["Root", "Prev", "Size", "Info", "XRefStm", "Encrypt"]);

enum Mode {
	Top,
	Object,
	/** After stream data: `endstream`, then `endobj`. */
	Endstream,
	Endobj,
	Xref,
	Trailer,
	Startxref,
}

/** The subsection being read in an xref table: its header (first number, count), then entries of three tokens. */
class XrefReader {
	private header: number[] = [];
	private next = 0;
	private left = 0;
	private entry: number[] = [];

	constructor(
		private readonly section: XrefSection,
		private readonly wanted: (num: number) => boolean,
	) {}

	/** Reads one token of the table; a message when it does not fit. */
	read(token: Token): string | null {
		if (token.kind === "number" && token.integer && token.value >= 0) {
			if (this.left === 0) {
				this.header.push(token.value);
				if (this.header.length === 2) [this.next = 0, this.left = 0] = this.header.splice(0);
				return null;
			}
			this.entry.push(token.value);
			return this.entry.length <= 2 ? null : "an xref entry with more than two numbers";
		}
		if (token.kind === "keyword" && (token.value === "n" || token.value === "f") && this.entry.length === 2) {
			const [offset = 0, gen = 0] = this.entry.splice(0);
			if (this.wanted(this.next)) this.section.entries.set(this.next, { offset, gen, free: token.value === "f" });
			this.next++;
			this.left--;
			return null;
		}
		return "an xref table that is not a list of subsections and entries";
	}

	get complete(): boolean {
		return this.left === 0 && this.header.length === 0;
	}
}

export class PdfScanner {
	private readonly lexer: Lexer;
	private mode = Mode.Top;
	private ints: { value: number; offset: number }[] = [];
	private readonly builder: ValueBuilder;
	private readonly trailerBuilder = new ValueBuilder({ keys: TRAILER_KEYS });
	private object: Omit<IndirectObject, "value"> | null = null;
	private xref: XrefReader | null = null;
	private section: XrefSection | null = null;
	private readonly objects = new Map<number, IndirectObject>();
	private readonly kept = new Set<number>();
	/** Objects that are a bare integer: an indirect /Length (latest definition so far, which is all a stream before the xref can use). */
	private readonly integers = new Map<number, number>();
	private readonly sections = new Map<number, XrefSection>();
	private startxref: number | null = null;
	private failure: string | null = null;

	constructor(private readonly options: ScannerOptions) {
		this.builder = new ValueBuilder({ keys: new Set([...options.keys, "Length"]), whole: new Set(options.whole ?? []) });
		this.lexer = new Lexer((token) => this.token(token), { maxTokenBytes: options.maxTokenBytes ?? 1024 });
	}

	feed(chunk: Uint8Array): void {
		// Past a failure nothing more can be trusted, so nothing more is read.
		if (this.failure === null) this.lexer.push(chunk);
	}

	/** The document ended: what it held. */
	end(): ScanResult {
		if (this.failure === null) this.lexer.end();
		if (this.failure === null && this.mode !== Mode.Top) this.fail("the document ends inside an object or xref table");
		return new ScanResult(this.objects, this.sections, this.startxref, this.failure);
	}

	private fail(message: string): void {
		this.failure = message;
		this.lexer.stop();
	}

	private token(token: Token): void {
		if (this.failure !== null) return;
		if (token.kind === "error") {
			this.fail(`${token.value} at offset ${token.offset}`);
			return;
		}
		switch (this.mode) {
			case Mode.Top:
				this.top(token);
				return;
			case Mode.Object:
				this.inObject(token);
				return;
			case Mode.Endstream:
			case Mode.Endobj:
				this.afterStream(token);
				return;
			case Mode.Xref:
				this.inXref(token);
				return;
			case Mode.Trailer:
				this.inTrailer(token);
				return;
			default:
				if (token.kind !== "number" || !isCount(token.value)) {
					this.fail(`startxref without an offset at ${token.offset}`);
					return;
				}
				this.startxref = token.value;
				this.mode = Mode.Top;
		}
	}

	/** Between objects: `num gen obj`, `xref`, `trailer`, `startxref`. */
	private top(token: Token): void {
		if (token.kind === "number" && token.integer && token.value >= 0 && this.ints.length < 2) {
			this.ints.push({ value: token.value, offset: token.offset });
			return;
		}
		const word = token.kind === "keyword" ? token.value : "";
		const [num, gen] = this.ints.splice(0);
		if (word === "obj" && num && gen) {
			this.object = { num: num.value, gen: gen.value, offset: num.offset };
			this.builder.reset();
			this.mode = Mode.Object;
		} else if (word === "xref" && !num) {
			this.section = { entries: new Map(), trailer: null };
			this.sections.set(token.offset, this.section);
			this.xref = new XrefReader(this.section, (n) => this.kept.has(n));
			this.mode = Mode.Xref;
		} else if (word === "trailer" && !num) this.beginTrailer();
		else if (word === "startxref" && !num) this.mode = Mode.Startxref;
		else this.fail(`unexpected ${token.kind} at offset ${token.offset}, between objects`);
	}

	private inObject(token: Token): void {
		const builder = this.builder;
		const object = this.object;
		if (!object) {
			this.fail("internal: an object without its header");
			return;
		}
		const ends = token.kind === "keyword" && (token.value === "endobj" || token.value === "stream") && builder.depth === 0;
		if (!ends) {
			builder.push(token);
			if (builder.failure !== null) this.fail(`object ${object.num} ${object.gen}: ${builder.failure}`);
			return;
		}
		const value = builder.finish();
		if (builder.failure !== null) {
			this.fail(`object ${object.num} ${object.gen}: ${builder.failure}`);
			return;
		}
		this.remember({ num: object.num, gen: object.gen, offset: object.offset, value });
		if (token.value === "endobj") {
			this.mode = Mode.Top;
			return;
		}
		if (!isDict(value)) {
			this.fail(`object ${object.num} ${object.gen}: a stream without a dictionary`);
			return;
		}
		this.lexer.skipStream(this.streamLength(value.get("Length")));
		this.mode = Mode.Endstream;
	}

	/** A direct length, or an indirect one already read; else the data is scanned for `endstream`. */
	private streamLength(length: PdfValue | undefined): number | null {
		if (isCount(length)) return length;
		if (isRef(length)) return this.integers.get(length.num) ?? null;
		return null;
	}

	private remember(object: IndirectObject): void {
		if (isCount(object.value)) this.integers.set(object.num, object.value);
		if (!this.options.keep(object)) return;
		this.objects.set(object.offset, object);
		this.kept.add(object.num);
	}

	private afterStream(token: Token): void {
		const expected = this.mode === Mode.Endstream ? "endstream" : "endobj";
		if (token.kind !== "keyword" || token.value !== expected) {
			this.fail(`expected ${expected} at offset ${token.offset} (a stream's /Length that does not match its data?)`);
			return;
		}
		this.mode = this.mode === Mode.Endstream ? Mode.Endobj : Mode.Top;
	}

	private inXref(token: Token): void {
		const xref = this.xref;
		if (!xref) {
			this.fail("internal: an xref table without its reader");
			return;
		}
		if (token.kind === "keyword" && token.value === "trailer" && xref.complete) {
			this.beginTrailer();
			return;
		}
		const problem = xref.read(token);
		if (problem) this.fail(`${problem}, at offset ${token.offset}`);
	}

	private beginTrailer(): void {
		if (!this.section) {
			this.fail("a trailer without an xref table");
			return;
		}
		this.trailerBuilder.reset();
		this.mode = Mode.Trailer;
	}

	private inTrailer(token: Token): void {
		const builder = this.trailerBuilder;
		builder.push(token);
		if (builder.failure !== null) {
			this.fail(`the trailer: ${builder.failure}`);
			return;
		}
		if (!builder.closed) return;
		const value = builder.finish();
		if (!isDict(value) || !this.section) {
			this.fail("a trailer that is not a dictionary");
			return;
		}
		this.section.trailer = value;
		this.section = null;
		this.mode = Mode.Top;
	}
}

/** What a scan held at the end; resolving what it did not hold throws UnreadablePdf, saying why. */
export class ScanResult {
	constructor(
		private readonly objects: ReadonlyMap<number, IndirectObject>,
		private readonly sections: ReadonlyMap<number, XrefSection>,
		private readonly startxref: number | null,
		readonly failure: string | null,
	) {}

	/** The newest xref section and those it updates, newest first, following /Prev. */
	private *chain(): Generator<XrefSection> {
		if (this.failure !== null) throw new UnreadablePdf(this.failure);
		if (this.startxref === null) throw new UnreadablePdf("no startxref");
		const seen = new Set<number>();
		let offset: number | null = this.startxref;
		while (offset !== null) {
			const section = this.sections.get(offset);
			if (!section) throw new UnreadablePdf(`no xref table at offset ${offset} (cross-reference streams are not read)`);
			if (seen.has(offset)) throw new UnreadablePdf(`the xref sections loop back to offset ${offset}`);
			seen.add(offset);
			yield section;
			const prev: PdfValue | undefined = section.trailer?.get("Prev");
			offset = isCount(prev) ? prev : null;
		}
	}

	/** The newest trailer's entries (Root, Prev, Size, Info, XRefStm, Encrypt). */
	trailer(): PdfDict {
		for (const section of this.chain()) {
			if (!section.trailer) break;
			return section.trailer;
		}
		throw new UnreadablePdf("the newest xref section has no trailer");
	}

	/** Every kept object that the xref still names as its number's definition, in file order. */
	current(): IndirectObject[] {
		// A scan that failed, or has no xref to follow, throws here rather than answer "none".
		this.trailer();
		return [...this.objects.values()].filter((object) => {
			try {
				return this.resolve(new PdfRef(object.num, object.gen)) === object;
			} catch {
				return false; // an older definition, or one no xref names
			}
		});
	}

	/** The object `ref` names, as the newest xref section that lists it says. */
	resolve(ref: PdfRef): IndirectObject {
		for (const section of this.chain()) {
			const entry = section.entries.get(ref.num);
			if (!entry) continue;
			const object = entry.free ? undefined : this.objects.get(entry.offset);
			if (!object || object.num !== ref.num || object.gen !== ref.gen || entry.gen !== ref.gen) {
				throw new UnreadablePdf(`object ${ref.num} ${ref.gen} R is not what was looked for (free, another object, or not kept)`);
			}
			return object;
		}
		throw new UnreadablePdf(`object ${ref.num} ${ref.gen} R is in no xref section`);
	}
}
