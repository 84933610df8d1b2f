// Every router is an OpenAPIHono whose validation failures become 400 INVALID_REQUEST with details.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_FONT_BYTES } from "../schemas/font";
import { ApiError, zodDetails } from "./errors";
import type { AppEnv } from "./types";

export function createRouter(): OpenAPIHono<AppEnv> {
	return new OpenAPIHono<AppEnv>({
		defaultHook: (result) => {
			if (!result.success) throw new ApiError(400, "INVALID_REQUEST", "the request is invalid", { details: zodDetails(result.error) });
		},
	});
}

/**
 * The largest request body of each kind of route: settings (destinations, the webhook endpoint,
 * test events) are small JSON; renders and templates carry whole documents; a font upload is one file.
 */
export const BODY_LIMITS = { settings: 64 * 1024, document: 10 * 1024 * 1024, font: MAX_FONT_BYTES } as const;

/**
 * 413 before a byte past `maxBytes` is buffered: a Content-Length over it is refused unread, and a
 * body without one (chunked) is counted as it streams in and refused at the first byte past it.
 */
export function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
	return bodyLimit({
		maxSize: maxBytes,
		onError: () => {
			throw new ApiError(413, "CONTENT_TOO_LARGE", `the request body is larger than ${maxBytes} bytes, the limit of this route`);
		},
	});
}

export const settingsBody = limitBody(BODY_LIMITS.settings);
export const documentBody = limitBody(BODY_LIMITS.document);
export const fontBody = limitBody(BODY_LIMITS.font);

/** 415 unless the body is declared JSON (malformed JSON then answers 400 from the validator). */
export const requireJson: MiddlewareHandler<AppEnv> = async (c, next) => {
	const type = c.req.header("content-type") ?? "";
	if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
		throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "send the request body as application/json");
	}
	await next();
};

/** Per-tenant limit on creating renders and previews, and on the font and signing key routes (Workers Rate Limiting binding). Runs after auth. */
export const rateLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
	const { success } = await c.env.RATE_LIMITER.limit({ key: c.var.tenantId });
	if (!success)
		throw new ApiError(429, "RATE_LIMITED", "too many requests this minute (renders, previews, font and signing key routes share the limit); retry later", {
			headers: { "Retry-After": String(RATE_LIMIT_PERIOD_SECONDS) },
		});
	await next();
};

/** Per-tenant limit on webhook redeliveries (REDELIVERY_LIMITER: 30 a minute). Runs after auth, before the job is looked up. */
export const redeliveryLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
	const { success } = await c.env.REDELIVERY_LIMITER.limit({ key: c.var.tenantId });
	if (!success)
		throw new ApiError(429, "RATE_LIMITED", "too many webhook redeliveries; retry later", { headers: { "Retry-After": String(RATE_LIMIT_PERIOD_SECONDS) } });
	await next();
};

/** The bindings' period (wrangler.toml [[ratelimits]]): the longest a client must wait. */
const RATE_LIMIT_PERIOD_SECONDS = 60;
