// Font containers built from an sfnt (TrueType/OpenType) file with Node's own zlib and Brotli: the
// WOFF and WOFF2 test fixtures, and a face padded to a given size for measurements. Tables are
// copied as they are (WOFF2 with the null transform, which the format allows for every table), so
// no font tool is needed.
import { brotliCompressSync, constants, deflateSync } from "node:zlib";

/** The sfnt's version and its tables, each with its tag, checksum and bytes. */
export function readSfnt(font) {
	const count = font.readUInt16BE(4);
	const tables = [];
	for (let i = 0; i < count; i++) {
		const at = 12 + 16 * i;
		const offset = font.readUInt32BE(at + 8);
		const length = font.readUInt32BE(at + 12);
		tables.push({ tag: font.toString("latin1", at, at + 4), checksum: font.readUInt32BE(at + 4), data: font.subarray(offset, offset + length) });
	}
	return { version: font.readUInt32BE(0), tables };
}

const pad4 = (n) => (n + 3) & ~3;
const sfntSize = (tables) => 12 + 16 * tables.length + tables.reduce((sum, t) => sum + pad4(t.data.length), 0);

/** An sfnt file from a version and tables (sorted by tag, each 4-byte aligned). */
export function writeSfnt(version, tables) {
	const sorted = [...tables].sort((a, b) => (a.tag < b.tag ? -1 : 1));
	const head = Buffer.alloc(12 + 16 * sorted.length);
	const power = 2 ** Math.floor(Math.log2(sorted.length));
	head.writeUInt32BE(version, 0);
	head.writeUInt16BE(sorted.length, 4);
	head.writeUInt16BE(power * 16, 6);
	head.writeUInt16BE(Math.log2(power), 8);
	head.writeUInt16BE(sorted.length * 16 - power * 16, 10);
	const bodies = [];
	let offset = head.length;
	for (const [i, t] of sorted.entries()) {
		const at = 12 + 16 * i;
		head.write(t.tag, at, "latin1");
		head.writeUInt32BE(t.checksum, at + 4);
		head.writeUInt32BE(offset, at + 8);
		head.writeUInt32BE(t.data.length, at + 12);
		const body = Buffer.alloc(pad4(t.data.length));
		t.data.copy(body);
		bodies.push(body);
		offset += body.length;
	}
	return Buffer.concat([head, ...bodies]);
}

/** The same face, `size` bytes long: an extra table of filler that renderers ignore. */
export function padSfnt(font, size) {
	const { version, tables } = readSfnt(font);
	const filler = Math.max(0, size - sfntSize(tables) - 16);
	return writeSfnt(version, [...tables, { tag: "zpad", checksum: 0, data: Buffer.alloc(filler, 0x2a) }]);
}

/** WOFF 1.0: a 44-byte header, a 20-byte entry per table, each table zlib-compressed (kept raw when that is not smaller). */
export function toWoff(font) {
	const { version, tables } = readSfnt(font);
	const header = Buffer.alloc(44);
	const directory = Buffer.alloc(20 * tables.length);
	const bodies = [];
	let offset = header.length + directory.length;
	for (const [i, t] of tables.entries()) {
		const packed = deflateSync(t.data);
		const data = packed.length < t.data.length ? packed : t.data;
		const at = 20 * i;
		directory.write(t.tag, at, "latin1");
		directory.writeUInt32BE(offset, at + 4);
		directory.writeUInt32BE(data.length, at + 8);
		directory.writeUInt32BE(t.data.length, at + 12);
		directory.writeUInt32BE(t.checksum, at + 16);
		const body = Buffer.alloc(pad4(data.length));
		data.copy(body);
		bodies.push(body);
		offset += body.length;
	}
	header.write("wOFF", 0, "latin1");
	header.writeUInt32BE(version, 4);
	header.writeUInt32BE(offset, 8);
	header.writeUInt16BE(tables.length, 12);
	header.writeUInt32BE(sfntSize(tables), 16);
	header.writeUInt16BE(1, 20);
	return Buffer.concat([header, directory, ...bodies]);
}

const WOFF2_KNOWN = ["cmap", "head", "hhea", "hmtx", "maxp", "name", "OS/2", "post", "cvt ", "fpgm", "glyf", "loca", "prep"];

function base128(n) {
	const bytes = [n & 0x7f];
	for (let rest = Math.floor(n / 128); rest > 0; rest = Math.floor(rest / 128)) bytes.unshift((rest & 0x7f) | 0x80);
	return Buffer.from(bytes);
}

/** WOFF2: every table with the null transform (glyf and loca: transform version 3), one Brotli stream. */
export function toWoff2(font) {
	const { version, tables } = readSfnt(font);
	const entries = tables.map((t) => {
		const known = WOFF2_KNOWN.indexOf(t.tag);
		const nullTransform = t.tag === "glyf" || t.tag === "loca" ? 3 << 6 : 0;
		const flag = Buffer.from([(known === -1 ? 63 : known) | nullTransform]);
		const tag = known === -1 ? Buffer.from(t.tag, "latin1") : Buffer.alloc(0);
		return Buffer.concat([flag, tag, base128(t.data.length)]);
	});
	const directory = Buffer.concat(entries);
	const compressed = brotliCompressSync(Buffer.concat(tables.map((t) => t.data)), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
	const header = Buffer.alloc(48);
	const length = pad4(header.length + directory.length + compressed.length);
	header.write("wOF2", 0, "latin1");
	header.writeUInt32BE(version, 4);
	header.writeUInt32BE(length, 8);
	header.writeUInt16BE(tables.length, 12);
	header.writeUInt32BE(sfntSize(tables), 16);
	header.writeUInt32BE(compressed.length, 20);
	header.writeUInt16BE(1, 24);
	const file = Buffer.alloc(length);
	Buffer.concat([header, directory, compressed]).copy(file);
	return file;
}
