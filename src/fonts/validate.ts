// Is this upload a font? Reads the header and the table directory of an sfnt (TrueType, OpenType
// CFF), WOFF or WOFF2 file and checks that every table (or WOFF2's compressed block) lies inside the
// file. It decompresses nothing and parses no table: Chromium's font sanitizer (OTS) does that when a
// page uses the face. What this refuses is what cannot be a font at all: another file type, a
// truncated download, a directory pointing past the end. Pure: imports nothing.

export type FontFormat = "ttf" | "otf" | "woff" | "woff2";

export type FontCheck = { ok: true; format: FontFormat; tables: number } | { ok: false; reason: string };

/** Real fonts carry 10–40 tables; a directory claiming more is not one. */
export const MAX_TABLES = 256;
/** What a face may decompress to (WOFF totalSfntSize, WOFF2 origLength sums): bounds the work a page's sanitizer is handed. */
export const MAX_SFNT_BYTES = 64 * 1024 * 1024;

const TRUETYPE = 0x00010000;
const tagOf = (n: number) => String.fromCharCode((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
const MAGIC = { otto: 0x4f54544f, true: 0x74727565, ttcf: 0x74746366, woff: 0x774f4646, woff2: 0x774f4632 } as const;

class Invalid extends Error {}

/** Bounds-checked big-endian reads: a read past the end is the file's fault, named by `what`. */
class Reader {
	private readonly view: DataView;
	constructor(readonly bytes: Uint8Array) {
		this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	}
	get size(): number {
		return this.bytes.byteLength;
	}
	need(end: number, what: string): void {
		if (end > this.size) throw new Invalid(`${what} is truncated: it needs ${end} bytes, the file has ${this.size}`);
	}
	u8(at: number, what: string): number {
		this.need(at + 1, what);
		return this.view.getUint8(at);
	}
	u16(at: number, what: string): number {
		this.need(at + 2, what);
		return this.view.getUint16(at);
	}
	u32(at: number, what: string): number {
		this.need(at + 4, what);
		return this.view.getUint32(at);
	}
}

function tableCount(n: number): number {
	if (n === 0 || n > MAX_TABLES) throw new Invalid(`the table directory claims ${n} tables (1 to ${MAX_TABLES} expected)`);
	return n;
}

/** A table tag is four printable ASCII characters. */
function checkTag(tag: number): string {
	const text = tagOf(tag);
	if (!/^[\x20-\x7e]{4}$/.test(text)) throw new Invalid("the table directory holds a tag that is not four printable characters");
	return text;
}

function inside(r: Reader, offset: number, length: number, what: string): void {
	if (offset + length > r.size) throw new Invalid(`${what} lies past the end of the file (ends at byte ${offset + length}, the file has ${r.size})`);
}

/** The tables every TrueType or CFF face has: without them no renderer can draw a glyph. */
function checkRequired(tags: Set<string>): void {
	for (const tag of ["cmap", "head"]) if (!tags.has(tag)) throw new Invalid(`the font has no '${tag}' table`);
	if (!tags.has("glyf") && !tags.has("CFF ") && !tags.has("CFF2")) throw new Invalid("the font has no glyph table ('glyf', 'CFF ' or 'CFF2')");
}

function sfnt(r: Reader, version: number): FontCheck {
	const n = tableCount(r.u16(4, "the font header"));
	r.need(12 + 16 * n, "the table directory");
	const tags = new Set<string>();
	for (let i = 0; i < n; i++) {
		const at = 12 + 16 * i;
		const tag = checkTag(r.u32(at, "the table directory"));
		inside(r, r.u32(at + 8, "the table directory"), r.u32(at + 12, "the table directory"), `table '${tag}'`);
		tags.add(tag);
	}
	checkRequired(tags);
	return { ok: true, format: version === MAGIC.otto ? "otf" : "ttf", tables: n };
}

function flavorOk(flavor: number): void {
	if (flavor === MAGIC.ttcf) throw new Invalid("font collections are not supported: upload each face on its own");
	if (flavor !== TRUETYPE && flavor !== MAGIC.otto && flavor !== MAGIC.true) throw new Invalid("the wrapped font is neither TrueType nor OpenType");
}

function lengthMatches(r: Reader, declared: number): void {
	if (declared !== r.size) throw new Invalid(`the header says the file has ${declared} bytes, it has ${r.size}`);
}

/** Metadata and private blocks, when present, lie inside the file too. */
function extraBlocks(r: Reader, metaAt: number): void {
	const [metaOffset, metaLength] = [r.u32(metaAt, "the font header"), r.u32(metaAt + 4, "the font header")];
	const [privOffset, privLength] = [r.u32(metaAt + 12, "the font header"), r.u32(metaAt + 16, "the font header")];
	if (metaLength > 0) inside(r, metaOffset, metaLength, "the metadata block");
	if (privLength > 0) inside(r, privOffset, privLength, "the private data block");
}

function woff(r: Reader): FontCheck {
	r.need(44, "the WOFF header");
	flavorOk(r.u32(4, "the WOFF header"));
	lengthMatches(r, r.u32(8, "the WOFF header"));
	const n = tableCount(r.u16(12, "the WOFF header"));
	if (r.u16(14, "the WOFF header") !== 0) throw new Invalid("the WOFF header's reserved field is not 0");
	const totalSfntSize = r.u32(16, "the WOFF header");
	extraBlocks(r, 24);
	r.need(44 + 20 * n, "the table directory");
	const tags = new Set<string>();
	let sfntBytes = 12 + 16 * n;
	let padded = sfntBytes;
	for (let i = 0; i < n; i++) {
		const at = 44 + 20 * i;
		const tag = checkTag(r.u32(at, "the table directory"));
		const [offset, compLength, origLength] = [r.u32(at + 4, ""), r.u32(at + 8, ""), r.u32(at + 12, "")];
		inside(r, offset, compLength, `table '${tag}'`);
		if (compLength > origLength) throw new Invalid(`table '${tag}' is larger compressed than uncompressed`);
		sfntBytes += origLength;
		padded += (origLength + 3) & ~3;
		tags.add(tag);
	}
	// The size of the font unwrapped: at least its tables, at most with each padded to 4 bytes.
	if (totalSfntSize < sfntBytes || totalSfntSize > padded || totalSfntSize > MAX_SFNT_BYTES) {
		throw new Invalid(`the header's totalSfntSize (${totalSfntSize}) does not match its tables (${sfntBytes} to ${padded} bytes expected)`);
	}
	checkRequired(tags);
	return { ok: true, format: "woff", tables: n };
}

/** WOFF2's known tags, by the 6-bit index its table directory uses instead of spelling them. */
// biome-ignore format: a table of 63 tags, 16 a row
const WOFF2_TAGS = [
	"cmap", "head", "hhea", "hmtx", "maxp", "name", "OS/2", "post", "cvt ", "fpgm", "glyf", "loca", "prep", "CFF ", "VORG", "EBDT",
	"EBLC", "gasp", "hdmx", "kern", "LTSH", "PCLT", "VDMX", "vhea", "vmtx", "BASE", "GDEF", "GPOS", "GSUB", "EBSC", "JSTF", "MATH",
	"CBDT", "CBLC", "COLR", "CPAL", "SVG ", "sbix", "acnt", "avar", "bdat", "bloc", "bsln", "cvar", "fdsc", "feat", "fmtx", "fvar",
	"gvar", "hsty", "just", "lcar", "mort", "morx", "opbd", "prop", "trak", "Zapf", "Silf", "Glat", "Gloc", "Feat", "Sill",
];

/** WOFF2's UIntBase128: 1–5 bytes, 7 bits each, no leading zero byte, fits in 32 bits. Returns [value, next offset]. */
function readUIntBase128(r: Reader, at: number): [number, number] {
	let value = 0;
	for (let i = 0; i < 5; i++) {
		const byte = r.u8(at + i, "the table directory");
		if (i === 0 && byte === 0x80) throw new Invalid("the table directory holds a number with a leading zero");
		if (value > 0x1ffffff) throw new Invalid("the table directory holds a number past 32 bits");
		value = value * 128 + (byte & 0x7f);
		if ((byte & 0x80) === 0) return [value, at + i + 1];
	}
	throw new Invalid("the table directory holds a number longer than 5 bytes");
}

function woff2(r: Reader): FontCheck {
	r.need(48, "the WOFF2 header");
	flavorOk(r.u32(4, "the WOFF2 header"));
	lengthMatches(r, r.u32(8, "the WOFF2 header"));
	const n = tableCount(r.u16(12, "the WOFF2 header"));
	if (r.u16(14, "the WOFF2 header") !== 0) throw new Invalid("the WOFF2 header's reserved field is not 0");
	const totalCompressedSize = r.u32(20, "the WOFF2 header");
	extraBlocks(r, 28);
	let at = 48;
	const tags = new Set<string>();
	let sfntBytes = 0;
	for (let i = 0; i < n; i++) {
		const flags = r.u8(at, "the table directory");
		at += 1;
		let tag = WOFF2_TAGS[flags & 0x3f];
		if (tag === undefined) {
			tag = checkTag(r.u32(at, "the table directory"));
			at += 4;
		}
		const [origLength, next] = readUIntBase128(r, at);
		at = next;
		const version = flags >> 6;
		// glyf and loca are transformed unless their version is 3; every other table unless it is 0.
		const transformed = tag === "glyf" || tag === "loca" ? version !== 3 : version !== 0;
		if (transformed) at = readUIntBase128(r, at)[1];
		sfntBytes += origLength;
		tags.add(tag);
	}
	if (sfntBytes > MAX_SFNT_BYTES) throw new Invalid(`the tables add up to ${sfntBytes} bytes uncompressed, more than ${MAX_SFNT_BYTES}`);
	if (totalCompressedSize === 0) throw new Invalid("the WOFF2 header says the font data is empty");
	// The tables travel in one Brotli stream right after the directory.
	inside(r, at, totalCompressedSize, "the compressed font data");
	checkRequired(tags);
	return { ok: true, format: "woff2", tables: n };
}

/** Checks `bytes` is a font file whose directory fits in the file; the reason names what is wrong. */
export function validateFont(bytes: Uint8Array): FontCheck {
	const r = new Reader(bytes);
	try {
		if (r.size < 4) throw new Invalid(`the file has ${r.size} bytes, too few for a font`);
		const magic = r.u32(0, "the font header");
		switch (magic) {
			case TRUETYPE:
			case MAGIC.true:
			case MAGIC.otto:
				return sfnt(r, magic);
			case MAGIC.woff:
				return woff(r);
			case MAGIC.woff2:
				return woff2(r);
			case MAGIC.ttcf:
				throw new Invalid("font collections (.ttc) are not supported: upload each face on its own");
			default:
				throw new Invalid("not a font: the file does not start with a TrueType, OpenType, WOFF or WOFF2 signature");
		}
	} catch (err) {
		if (err instanceof Invalid) return { ok: false, reason: err.message };
		throw err;
	}
}
