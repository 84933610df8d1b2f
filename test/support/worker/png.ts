// Worker side: runs inside workerd, imported by the tests.
// A small PNG decoder for the tests (8-bit RGB/RGBA, non-interlaced: what Chrome writes), built on
// the runtime's DecompressionStream, so an image's pixels are checked without a dependency.
export interface Pixels {
	width: number;
	height: number;
	/** RGBA, 4 bytes per pixel, row by row. */
	rgba: Uint8Array;
}

const u32 = (b: Uint8Array, i: number) => (((b[i] ?? 0) << 24) >>> 0) + ((b[i + 1] ?? 0) << 16) + ((b[i + 2] ?? 0) << 8) + (b[i + 3] ?? 0);

async function inflate(data: Uint8Array): Promise<Uint8Array> {
	const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate"));
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

function paeth(a: number, b: number, c: number): number {
	const p = a + b - c;
	const pa = Math.abs(p - a);
	const pb = Math.abs(p - b);
	const pc = Math.abs(p - c);
	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export async function decodePng(bytes: Uint8Array): Promise<Pixels> {
	if (u32(bytes, 0) !== 0x89504e47) throw new Error("not a PNG");
	let width = 0;
	let height = 0;
	let channels = 0;
	const idat: Uint8Array[] = [];
	for (let at = 8; at < bytes.length; ) {
		const length = u32(bytes, at);
		const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
		const body = bytes.subarray(at + 8, at + 8 + length);
		if (type === "IHDR") {
			width = u32(body, 0);
			height = u32(body, 4);
			if (body[8] !== 8 || body[12] !== 0) throw new Error("only 8-bit non-interlaced PNGs");
			channels = body[9] === 6 ? 4 : body[9] === 2 ? 3 : 0;
			if (!channels) throw new Error(`colour type ${body[9]} not supported`);
		} else if (type === "IDAT") idat.push(body);
		at += 12 + length;
	}
	const raw = await inflate(new Uint8Array(await new Blob(idat).arrayBuffer()));
	const stride = width * channels;
	const out = new Uint8Array(width * height * 4);
	let prev = new Uint8Array(stride);
	for (let y = 0; y < height; y++) {
		const filter = raw[y * (stride + 1)];
		const line = raw.slice(y * (stride + 1) + 1, (y + 1) * (stride + 1));
		for (let x = 0; x < stride; x++) {
			const a = x >= channels ? (line[x - channels] ?? 0) : 0;
			const b = prev[x] ?? 0;
			const c = x >= channels ? (prev[x - channels] ?? 0) : 0;
			const add = filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, c) : 0;
			line[x] = ((line[x] ?? 0) + add) & 0xff;
		}
		for (let x = 0; x < width; x++) {
			const o = (y * width + x) * 4;
			out.set(line.subarray(x * channels, x * channels + 3), o);
			out[o + 3] = channels === 4 ? (line[x * channels + 3] ?? 255) : 255;
		}
		prev = line;
	}
	return { width, height, rgba: out };
}

/** The most common colour, each channel rounded to 32 levels, as "r,g,b" of the bucket's floor. */
export function dominantColour(pixels: Pixels): [number, number, number] {
	const counts = new Map<number, number>();
	for (let i = 0; i < pixels.rgba.length; i += 4) {
		const key = ((pixels.rgba[i] ?? 0) >> 5) * 64 + ((pixels.rgba[i + 1] ?? 0) >> 5) * 8 + ((pixels.rgba[i + 2] ?? 0) >> 5);
		counts.set(key, (counts.get(key) ?? 0) + 1);
	}
	const [key = 0] = [...counts.entries()].sort((x, y) => y[1] - x[1])[0] ?? [];
	return [(key >> 6) * 32, ((key >> 3) & 7) * 32, (key & 7) * 32];
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
	let c = 0xffffffff;
	for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
	const out = new Uint8Array(12 + data.length);
	const view = new DataView(out.buffer);
	view.setUint32(0, data.length);
	out.set(new TextEncoder().encode(type), 4);
	out.set(data, 8);
	view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
	return out;
}

/** A PNG of one solid colour (8-bit RGB), for tests that draw an image and look for its colour. */
export async function solidPng(width: number, height: number, [r, g, b]: [number, number, number]): Promise<Uint8Array> {
	const header = new Uint8Array(13);
	const view = new DataView(header.buffer);
	view.setUint32(0, width);
	view.setUint32(4, height);
	header.set([8, 2, 0, 0, 0], 8);
	// Each row: filter type 0, then the pixels.
	const raw = new Uint8Array(height * (1 + width * 3));
	for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set([r, g, b], y * (1 + width * 3) + 1 + x * 3);
	const stream = new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate"));
	const idat = new Uint8Array(await new Response(stream).arrayBuffer());
	const parts = [
		new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk("IHDR", header),
		chunk("IDAT", idat),
		chunk("IEND", new Uint8Array(0)),
	];
	const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const part of parts) {
		png.set(part, at);
		at += part.length;
	}
	return png;
}

/** Bytes as a data URI of `type`. */
export function dataUri(type: string, bytes: Uint8Array): string {
	return `data:${type};base64,${btoa(String.fromCharCode(...bytes))}`;
}
