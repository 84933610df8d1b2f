// Font fixtures (test/fixtures/fonts: DejaVu Sans Mono as TTF, WOFF, WOFF2) and the font routes as a client calls them.
import ttfUrl from "../fixtures/fonts/DejaVuSansMono.ttf?inline";
import woffUrl from "../fixtures/fonts/DejaVuSansMono.woff?inline";
import woff2Url from "../fixtures/fonts/DejaVuSansMono.woff2?inline";
import { api } from "./api";

function bytesOf(dataUrl: string): Uint8Array {
	return Uint8Array.from(atob(dataUrl.slice(dataUrl.indexOf(",") + 1)), (c) => c.charCodeAt(0));
}

export const FONT_FIXTURES = { ttf: bytesOf(ttfUrl), woff: bytesOf(woffUrl), woff2: bytesOf(woff2Url) } as const;

/** The fixture's PostScript name: a PDF embedding it names a subset of it ("AAAAAA+DejaVuSansMono"). */
export const FIXTURE_POSTSCRIPT_NAME = "DejaVuSansMono";

/** PUT /v1/fonts/{family} with the bytes as the body. */
export function putFont(
	family: string,
	bytes: Uint8Array,
	options: { key?: string; weight?: number | string; style?: string; contentType?: string } = {},
): Promise<Response> {
	const query = new URLSearchParams();
	if (options.weight !== undefined) query.set("weight", String(options.weight));
	if (options.style !== undefined) query.set("style", options.style);
	const qs = query.size ? `?${query}` : "";
	return api(`/v1/fonts/${encodeURIComponent(family)}${qs}`, {
		method: "PUT",
		body: bytes,
		headers: { "content-type": options.contentType ?? "font/ttf" },
		key: options.key,
	});
}

/** The base font names of a PDF's font descriptors (/FontName), e.g. "AAAAAA+DejaVuSansMono". */
export function pdfFontNames(pdf: Uint8Array): string[] {
	const text = new TextDecoder("latin1").decode(pdf);
	return [...new Set([...text.matchAll(/\/FontName\s*\/([^\s/<>[\]()]+)/g)].map((m) => m[1] ?? ""))];
}

/** Whether the PDF embeds a subset of the fixture face. */
export function embedsFixture(pdf: Uint8Array): boolean {
	return pdfFontNames(pdf).some((name) => name.endsWith(`+${FIXTURE_POSTSCRIPT_NAME}`));
}
