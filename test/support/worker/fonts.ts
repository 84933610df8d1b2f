// Worker side: runs inside workerd, imported by the tests.
// Font fixtures (test/fixtures/fonts: DejaVu Sans Mono as TTF, WOFF, WOFF2) and the font routes as a client calls them.
import ttfUrl from "../../fixtures/fonts/DejaVuSansMono.ttf?inline";
import woffUrl from "../../fixtures/fonts/DejaVuSansMono.woff?inline";
import woff2Url from "../../fixtures/fonts/DejaVuSansMono.woff2?inline";
import { env } from "cloudflare:workers";
import { sha256Hex } from "../../../src/security/crypto";
import { api } from "./api";

function bytesOf(dataUrl: string): Uint8Array {
	return Uint8Array.from(atob(dataUrl.slice(dataUrl.indexOf(",") + 1)), (c) => c.charCodeAt(0));
}

export const FONT_FIXTURES = { ttf: bytesOf(ttfUrl), woff: bytesOf(woffUrl), woff2: bytesOf(woff2Url) } as const;

/** The fixture's PostScript name: a PDF embedding it names a subset of it ("AAAAAA+DejaVuSansMono"). */
export const FIXTURE_POSTSCRIPT_NAME = "DejaVuSansMono";

/**
 * A tenant of its own for one test (fonts are per tenant, and a tenant's faces change every render
 * of it): its key is valid only in `env`, which the requests below pass to the Worker.
 */
export interface FontTenant {
	id: string;
	call: (path: string, init?: RequestInit) => Promise<Response>;
}

export async function fontTenant(): Promise<FontTenant> {
	const id = `fonts-${crypto.randomUUID().slice(0, 8)}`;
	const key = `test_key_${id}`;
	const scoped: Env = { ...env, API_KEYS: `${env.API_KEYS},${id}:${await sha256Hex(key)}` };
	return { id, call: (path, init = {}) => api(path, { ...init, key, env: scoped }) };
}

/** A synchronous render as `tenant`: the PDF's bytes (the test fails on any other answer). */
export async function renderAs(tenant: FontTenant, body: Record<string, unknown>): Promise<Uint8Array> {
	const res = await tenant.call("/v1/renders", {
		method: "POST",
		body: JSON.stringify({ ...body, async: false }),
		headers: { "content-type": "application/json" },
	});
	if (res.status !== 200) throw new Error(`render: ${res.status} ${await res.text()}`);
	return new Uint8Array(await res.arrayBuffer());
}

/** PUT /v1/fonts/{family} as `tenant`, with the bytes as the body. */
export function putFont(
	tenant: FontTenant,
	family: string,
	bytes: Uint8Array,
	options: { weight?: number | string; style?: string; contentType?: string } = {},
): Promise<Response> {
	const query = new URLSearchParams();
	if (options.weight !== undefined) query.set("weight", String(options.weight));
	if (options.style !== undefined) query.set("style", options.style);
	const qs = query.size ? `?${query}` : "";
	return tenant.call(`/v1/fonts/${encodeURIComponent(family)}${qs}`, {
		method: "PUT",
		body: bytes,
		headers: { "content-type": options.contentType ?? "font/ttf" },
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
