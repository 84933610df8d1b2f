// The playground and the API reference come from the Workers static assets, with a CSP that keeps
// every page on our own origin (the Swagger UI files are a pinned copy, not a CDN).
import { describe, expect, it } from "vitest";
import { api } from "./support/worker/api";

const THIRD_PARTY = /\b(?:src|href)=["']?(?:https?:)?\/\//i;

async function page(path: string) {
	const res = await api(path, { key: null });
	return { res, text: await res.text() };
}

describe("static pages", () => {
	it("serves the playground at / with a same-origin Content-Security-Policy", async () => {
		const { res, text } = await page("/");
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^text\/html/);
		expect(text).toContain('id="render-form"');
		expect(text).not.toMatch(THIRD_PARTY);
		const csp = res.headers.get("content-security-policy") ?? "";
		expect(csp).toContain("default-src 'self'");
		expect(csp).toContain("script-src 'self';");
		expect(csp).not.toMatch(/https?:|\*/);
	});

	it("serves Swagger UI at /docs from pinned local files", async () => {
		const { res, text } = await page("/docs");
		expect(res.status).toBe(200);
		expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
		expect(text).not.toMatch(THIRD_PARTY);
		const scripts = [...text.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
		expect(scripts).toEqual(["/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/docs.js"]);
		for (const src of scripts) {
			const { res: js, text: body } = await page(src);
			expect(js.status, src).toBe(200);
			expect(body.length, src).toBeGreaterThan(50);
		}
		expect((await page("/static/docs.js")).text).toContain('url: "/openapi.json"');
	});

	it("answers a missing static file with the JSON 404 shape, and API errors carry the CSP too", async () => {
		const missing = await api("/static/nope.js", { key: null });
		expect(missing.status).toBe(404);
		expect(await missing.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
		expect((await api("/static/sse.d.ts", { key: null })).status).toBe(404); // .assetsignore
		expect((await api("/static/sse.js", { key: null })).status).toBe(200);
		const unauthorized = await api("/v1/renders", { key: null });
		expect(unauthorized.status).toBe(401);
		expect(unauthorized.headers.get("content-security-policy")).toContain("default-src 'self'");
	});
});
