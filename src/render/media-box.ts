// The exact paper size, written into Chromium's PDF as it streams to storage. Chromium 156 cannot
// print an exact ISO size: it takes the paper in whole points (rounded up) and lays the page out on a
// 1/300-inch grid (0.24 pt), so A4 (595.28 × 841.89 pt) comes out `/MediaBox [0 0 595.91998 841.91998]`.
// Chromium (Skia) writes every page dictionary uncompressed with a classic xref table, so each
// `/MediaBox [0 0 W H]` whose W and H are within MATCH_PT of the requested size is rewritten to the
// exact size, with at most two decimals, padded with spaces to the same byte length: every xref
// offset stays valid and nothing else changes. Chromium anchors the content at the page's top-left
// (its content stream starts with a `cm` holding the printed height), so the box being a fraction of a
// point smaller only moves the right and top edges: those margins lose that fraction, content does
// not move against the other two. A box of another size (a CSS @page size that won with
// preferCSSPageSize) is left as printed. Chromium writes no CropBox, TrimBox, BleedBox or ArtBox.

/** A page's size in PDF points (1/72 in), as printed: landscape already turned. */
export interface PagePoints {
	width: number;
	height: number;
}

/** How far Chromium's box may be from the requested one to be taken for it: its rounding is at most 1.12 pt. */
const MATCH_PT = 1.5;
const PREFIX = Uint8Array.from("/MediaBox [0 0 ", (c) => c.charCodeAt(0));
/** The longest box this reads: the prefix and two numbers of 8 significant digits, with room to spare. */
const MAX_BOX_BYTES = 64;
const SLASH = 0x2f;
const SPACE = 0x20;
const CLOSE = 0x5d;
const DOT = 0x2e;

const isDigit = (byte: number) => byte >= 0x30 && byte <= 0x39;

/** Where a box's two numbers are (`W H`, from the first digit to the `]`), and what they say. */
interface Box {
	from: number;
	to: number;
	width: number;
	height: number;
}

/** "cut": `data` ends before the box at `at` can be told from something else. */
type Match = Box | "cut" | null;

/** The box Chromium writes at `at` (`/MediaBox [0 0 W H]`), null if it is something else. */
function matchBox(data: Uint8Array, at: number): Match {
	for (let i = 0; i < PREFIX.length; i++) {
		if (at + i >= data.length) return "cut";
		if (data[at + i] !== PREFIX[i]) return null;
	}
	const from = at + PREFIX.length;
	let space = -1;
	for (let i = from; i < at + MAX_BOX_BYTES; i++) {
		if (i >= data.length) return "cut";
		const byte = data[i] ?? 0;
		if (byte === CLOSE) return space < 0 ? null : boxOf(data, from, space, i);
		if (byte === SPACE && space < 0 && i > from) space = i;
		else if (!isDigit(byte) && byte !== DOT) return null;
	}
	return null;
}

const ascii = (data: Uint8Array, from: number, to: number) => String.fromCharCode(...data.subarray(from, to));

function boxOf(data: Uint8Array, from: number, space: number, to: number): Box | null {
	const width = Number(ascii(data, from, space));
	const height = Number(ascii(data, space + 1, to));
	return space + 1 < to && Number.isFinite(width) && Number.isFinite(height) ? { from, to, width, height } : null;
}

/** A length in points with at most two decimals, as short as it goes ("612", "595.28", "841.9"). */
const points = (value: number) => String(Math.round(value * 100) / 100);

/**
 * Chromium's PDF as it streams, each page box of the requested `paper` (points, as printed: after
 * landscape) made exact. A box the exact text does not fit in (never for a named format: it is
 * checked over the paper table) stays as printed and `onUnfit` hears of the first one.
 */
export function exactMediaBox(pdf: ReadableStream<Uint8Array>, paper: PagePoints, onUnfit: (printed: string) => void): ReadableStream<Uint8Array> {
	return pdf.pipeThrough(new MediaBoxRewriter(paper, onUnfit).stream());
}

class MediaBoxRewriter {
	/** The start of a box cut by the end of the last chunk: a copy, at most MAX_BOX_BYTES. */
	private tail = new Uint8Array(0);
	private told = false;
	private readonly exact: Uint8Array;

	constructor(
		private readonly paper: PagePoints,
		private readonly onUnfit: (printed: string) => void,
	) {
		this.exact = Uint8Array.from(`${points(paper.width)} ${points(paper.height)}`, (c) => c.charCodeAt(0));
	}

	stream(): TransformStream<Uint8Array, Uint8Array> {
		return new TransformStream({
			transform: (chunk, controller) => {
				for (const part of this.push(chunk)) if (part.byteLength > 0) controller.enqueue(part);
			},
			flush: (controller) => {
				// A box still cut at the end is not a box: it goes out as it came.
				if (this.tail.byteLength > 0) controller.enqueue(this.tail);
			},
		});
	}

	/**
	 * What goes out for `chunk`. Chunks are edited in place (they are the stream's own, fresh from
	 * the protocol's decoder), so nothing of the PDF is copied but a cut box's few bytes.
	 */
	private push(chunk: Uint8Array): Uint8Array[] {
		if (this.tail.byteLength === 0) return this.scan(chunk, 0, []);
		// A box cut by the last chunk's end: the tail starts with its `/` and holds no other.
		const held = this.tail;
		const joined = new Uint8Array(held.byteLength + Math.min(chunk.byteLength, MAX_BOX_BYTES));
		joined.set(held);
		joined.set(chunk.subarray(0, joined.byteLength - held.byteLength), held.byteLength);
		const match = matchBox(joined, 0);
		if (match === "cut") {
			// The chunk was shorter than what is missing: all of it joins the tail.
			this.tail = joined;
			return [];
		}
		this.tail = new Uint8Array(0);
		if (match === null) return this.scan(chunk, 0, [held]);
		this.rewrite(joined, match);
		// The rewritten bytes past the tail belong to the chunk.
		chunk.set(joined.subarray(held.byteLength, match.to), 0);
		return this.scan(chunk, match.to - held.byteLength, [joined.subarray(0, held.byteLength)]);
	}

	/** Rewrites every box in `chunk` from `from` on; a box cut by its end is held back as the tail. */
	private scan(chunk: Uint8Array, from: number, out: Uint8Array[]): Uint8Array[] {
		let at = chunk.indexOf(SLASH, from);
		while (at >= 0) {
			const match = matchBox(chunk, at);
			if (match === "cut") {
				this.tail = chunk.slice(at);
				out.push(chunk.subarray(0, at));
				return out;
			}
			if (match !== null) this.rewrite(chunk, match);
			at = chunk.indexOf(SLASH, match === null ? at + 1 : match.to);
		}
		out.push(chunk);
		return out;
	}

	private rewrite(data: Uint8Array, box: Box): void {
		const { width, height } = this.paper;
		if (Math.abs(box.width - width) > MATCH_PT || Math.abs(box.height - height) > MATCH_PT) return;
		const room = box.to - box.from;
		if (this.exact.byteLength > room) {
			if (!this.told) this.onUnfit(ascii(data, box.from, box.to));
			this.told = true;
			return;
		}
		data.set(this.exact, box.from);
		data.fill(SPACE, box.from + this.exact.byteLength, box.to);
	}
}
