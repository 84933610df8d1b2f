// Width and height of a PNG, JPEG or WebP from its header, so a job reports what was really stored.
export interface ImageSize {
	width: number;
	height: number;
}

const u16be = (b: Uint8Array, i: number) => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const u16le = (b: Uint8Array, i: number) => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const u24le = (b: Uint8Array, i: number) => u16le(b, i) | ((b[i + 2] ?? 0) << 16);
const u32be = (b: Uint8Array, i: number) => u16be(b, i) * 65536 + u16be(b, i + 2);
const ascii = (b: Uint8Array, i: number, n: number) => String.fromCharCode(...b.subarray(i, i + n));

function png(b: Uint8Array): ImageSize | null {
	// Signature, then the IHDR chunk: length, "IHDR", width, height.
	if (u32be(b, 0) !== 0x89504e47 || ascii(b, 12, 4) !== "IHDR") return null;
	return { width: u32be(b, 16), height: u32be(b, 20) };
}

function jpeg(b: Uint8Array): ImageSize | null {
	if (b[0] !== 0xff || b[1] !== 0xd8) return null;
	// Walk the segments to the first start-of-frame marker (SOF0..SOF15 but DHT, JPG, DAC).
	for (let i = 2; i + 9 < b.length; ) {
		if (b[i] !== 0xff) return null;
		const marker = b[i + 1] ?? 0;
		if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
			return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
		}
		i += 2 + u16be(b, i + 2);
	}
	return null;
}

function webp(b: Uint8Array): ImageSize | null {
	if (ascii(b, 0, 4) !== "RIFF" || ascii(b, 8, 4) !== "WEBP") return null;
	const chunk = ascii(b, 12, 4);
	if (chunk === "VP8X") return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
	if (chunk === "VP8L") {
		const bits = (b[21] ?? 0) | ((b[22] ?? 0) << 8) | ((b[23] ?? 0) << 16) | ((b[24] ?? 0) << 24);
		return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
	}
	if (chunk === "VP8 ") return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
	return null;
}

export function imageSize(bytes: Uint8Array): ImageSize | null {
	return png(bytes) ?? jpeg(bytes) ?? webp(bytes);
}
