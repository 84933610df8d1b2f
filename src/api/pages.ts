// The playground (/), the API reference (/docs) and their static files, served from the Workers
// static assets (src/public), and the headers that keep every page on our own origin.
import type { Context, MiddlewareHandler } from "hono";
import { ApiError } from "./errors";
import { createRouter } from "./router";
import type { AppEnv } from "./types";

/**
 * Scripts, styles, fetches and frames from our origin only. Swagger UI sets inline styles and
 * data: icons, hence those two allowances; no inline script, no eval.
 */
export const CONTENT_SECURITY_POLICY = [
	"default-src 'self'",
	"script-src 'self'",
	"style-src 'self' 'unsafe-inline'",
	"img-src 'self' data:",
	"connect-src 'self'",
	"font-src 'self'",
	"object-src 'none'",
	"base-uri 'none'",
	"form-action 'self'",
	"frame-ancestors 'none'",
].join("; ");

export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
	await next();
	// A static asset's response has immutable headers: copy it before adding ours.
	if (c.res.headers.get("content-security-policy") === null) {
		try {
			c.res.headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
		} catch {
			c.res = new Response(c.res.body, c.res);
			c.res.headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
		}
	}
	c.res.headers.set("X-Content-Type-Options", "nosniff");
	c.res.headers.set("Referrer-Policy", "no-referrer");
};

/** GET (and HEAD) of a static file; the asset server answers 404 for what it does not hold. */
async function serveAsset(c: Context<AppEnv>): Promise<Response> {
	const res = await c.env.ASSETS.fetch(c.req.raw);
	if (res.status === 404) throw new ApiError(404, "NOT_FOUND", `no page ${c.req.path}`);
	return c.newResponse(res.body, res);
}

export const pages = createRouter().get("/", serveAsset).get("/docs", serveAsset).get("/static/*", serveAsset);
