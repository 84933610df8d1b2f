// The font check behind PUT /v1/fonts: real files (DejaVu Sans Mono as TrueType, WOFF and WOFF2)
// pass; other files, truncated directories and tables past the end of the file are refused with a
// reason that says which.
import { describe, expect, it } from "vitest";
import { MAX_TABLES, validateFont } from "../src/fonts/validate";
import { FONT_FIXTURES } from "./support/worker/fonts";

const { ttf, woff, woff2 } = FONT_FIXTURES;

/** A copy of `bytes` with `edit` applied through a DataView. */
function patched(bytes: Uint8Array, edit: (view: DataView) => void): Uint8Array {
	const copy = bytes.slice();
	edit(new DataView(copy.buffer));
	return copy;
}

const refusal = (bytes: Uint8Array) => {
	const check = validateFont(bytes);
	return check.ok ? `accepted as ${check.format}` : check.reason;
};

describe("real fonts pass", () => {
	it.each([
		["TrueType", ttf, "ttf"],
		["WOFF", woff, "woff"],
		["WOFF2", woff2, "woff2"],
	] as const)("%s: accepted with its format and table count", (_name, bytes, format) => {
		expect(validateFont(bytes)).toEqual({ ok: true, format, tables: expect.any(Number) });
	});

	it("OpenType CFF ('OTTO') is recognised as otf", () => {
		// A CFF face's directory names 'CFF ' instead of 'glyf': renamed in a copy of the TrueType directory.
		const count = new DataView(ttf.buffer).getUint16(4);
		const otf = patched(ttf, (view) => {
			view.setUint32(0, 0x4f54544f);
			for (let i = 0; i < count; i++) if (view.getUint32(12 + 16 * i) === 0x676c7966) view.setUint32(12 + 16 * i, 0x43464620);
		});
		expect(validateFont(otf)).toMatchObject({ ok: true, format: "otf" });
	});
});

describe("what is not a font is refused", () => {
	it("wrong magic: a PNG, a PDF, text, an empty file", () => {
		const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
		expect(refusal(png)).toMatch(/not a font/);
		expect(refusal(new TextEncoder().encode("%PDF-1.7\n"))).toMatch(/not a font/);
		expect(refusal(new TextEncoder().encode("<svg></svg>"))).toMatch(/not a font/);
		expect(refusal(new Uint8Array(0))).toMatch(/too few/);
	});

	it("a magic number alone is not a font: the TrueType header with nothing after it", () => {
		expect(refusal(ttf.slice(0, 4))).toMatch(/font header is truncated/);
		expect(refusal(ttf.slice(0, 12))).toMatch(/table directory is truncated/);
	});

	it("truncated table directory: TrueType, WOFF and WOFF2 cut inside their directories", () => {
		expect(refusal(ttf.slice(0, 12 + 16 * 3))).toMatch(/table directory is truncated/);
		const woffCut = patched(woff.slice(0, 44 + 20 * 2), (view) => view.setUint32(8, 44 + 20 * 2));
		expect(refusal(woffCut)).toMatch(/table directory is truncated/);
		const woff2Cut = patched(woff2.slice(0, 52), (view) => view.setUint32(8, 52));
		expect(refusal(woff2Cut)).toMatch(/table directory is truncated/);
	});

	it("a table past the end of the file: TrueType cut short, a WOFF entry pointing out, WOFF2's compressed block longer than the file", () => {
		expect(refusal(ttf.slice(0, ttf.length >> 1))).toMatch(/table '.{4}' lies past the end of the file/);
		const woffOut = patched(woff, (view) => view.setUint32(44 + 4, woff.length - 8));
		expect(refusal(woffOut)).toMatch(/table '.{4}' lies past the end of the file/);
		const woff2Out = patched(woff2, (view) => view.setUint32(20, view.getUint32(20) + 1024));
		expect(refusal(woff2Out)).toMatch(/compressed font data lies past the end of the file/);
	});

	it("directory counts out of bounds: no tables, or more than the limit", () => {
		expect(refusal(patched(ttf, (view) => view.setUint16(4, 0)))).toMatch(/claims 0 tables/);
		expect(refusal(patched(ttf, (view) => view.setUint16(4, MAX_TABLES + 1)))).toMatch(new RegExp(`claims ${MAX_TABLES + 1} tables`));
	});

	it("WOFF: the header's length, totalSfntSize and a table larger compressed than uncompressed are checked", () => {
		expect(refusal(patched(woff, (view) => view.setUint32(8, woff.length + 4)))).toMatch(/header says the file has/);
		expect(refusal(patched(woff, (view) => view.setUint32(16, 100)))).toMatch(/totalSfntSize \(100\) does not match/);
		expect(refusal(patched(woff, (view) => view.setUint32(44 + 12, 1)))).toMatch(/larger compressed than uncompressed/);
	});

	it("WOFF2: a UIntBase128 with a leading zero, or longer than 5 bytes, is refused", () => {
		// The first entry: its flag byte at 48, then its tag when not a known one (flag 63), then origLength.
		const at = ((woff2[48] ?? 0) & 0x3f) === 63 ? 53 : 49;
		expect(refusal(patched(woff2, (view) => view.setUint8(at, 0x80)))).toMatch(/leading zero/);
		const long = patched(woff2, (view) => {
			for (let i = at; i < at + 6; i++) view.setUint8(i, 0x81);
		});
		expect(refusal(long)).toMatch(/longer than 5 bytes|past 32 bits/);
	});

	it("collections and unknown flavours are refused with what to do", () => {
		expect(refusal(patched(ttf, (view) => view.setUint32(0, 0x74746366)))).toMatch(/collections .* not supported/);
		expect(refusal(patched(woff, (view) => view.setUint32(4, 0x12345678)))).toMatch(/neither TrueType nor OpenType/);
	});

	it("a font without the tables every face needs is refused", () => {
		const count = new DataView(ttf.buffer).getUint16(4);
		const noCmap = patched(ttf, (view) => {
			for (let i = 0; i < count; i++) if (view.getUint32(12 + 16 * i) === 0x636d6170) view.setUint32(12 + 16 * i, 0x786d6170);
		});
		expect(refusal(noCmap)).toMatch(/no 'cmap' table/);
	});
});
