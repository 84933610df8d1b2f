// The Worker's vars (wrangler.toml [vars], `--var`, .dev.vars) as one schema: each var is text,
// absent or blank means its documented default, anything else must be well formed. src/config.ts
// decides what a malformed value costs (its default, and a warning).
import { z } from "@hono/zod-openapi";

export const DEFAULT_WEBHOOK_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000];

/** A var's text, trimmed; blank reads as not set. */
const text = z
	.string()
	.optional()
	.transform((raw) => raw?.trim() || undefined);

/** `schema` over a set var, `fallback` when it is not set. */
const setOr = <T>(schema: z.ZodType<T, string>, fallback: T) => text.pipe(schema.optional()).transform((value) => value ?? fallback);

const positiveInt = z
	.string()
	.regex(/^\d+$/, "must be a positive whole number")
	.transform(Number)
	.pipe(z.number().int().positive("must be a positive whole number"));

const seconds = z
	.string()
	.regex(/^\d+(?:\.\d+)?$/, "must be comma-separated seconds")
	.transform(Number);
const schedule = z
	.string()
	.transform((raw) => raw.split(",").map((part) => part.trim()))
	.pipe(z.array(seconds).min(1));

const flag = z
	.string()
	.toLowerCase()
	.pipe(z.enum(["true", "false"], "must be true or false"))
	.transform((value) => value === "true");

/** An http(s) origin, perhaps with a path; trailing slashes go, since paths are appended to it. */
const baseUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).transform((url) => url.replace(/\/+$/, ""));

/** The vars read, by name, each already in its parsed form. */
export const ConfigVarValues = z.object({
	WEBHOOK_RETRY_SCHEDULE: setOr(schedule, DEFAULT_WEBHOOK_RETRY_SCHEDULE),
	RENDER_MAX_ATTEMPTS: setOr(positiveInt, 3),
	RETENTION_SECONDS: setOr(positiveInt, 604800),
	ALLOW_PRIVATE_NETWORK: setOr(flag, false),
	PUBLIC_BASE_URL: setOr<string | null>(baseUrl, null),
	TENANT_MAX_CONCURRENT_RENDERS: setOr(positiveInt, 8),
	EVENT_STREAM_MAX_SECONDS: setOr(positiveInt, 900),
});
export const CONFIG_VAR_NAMES = ConfigVarValues.keyof().options;
export type ConfigVarName = (typeof CONFIG_VAR_NAMES)[number];

export const ConfigVars = ConfigVarValues.transform((vars) => ({
	/** Seconds before each webhook retry; its length + 1 is the number of attempts. */
	webhookRetrySchedule: vars.WEBHOOK_RETRY_SCHEDULE,
	renderMaxAttempts: vars.RENDER_MAX_ATTEMPTS,
	retentionSeconds: vars.RETENTION_SECONDS,
	/** Lifts the private-address rules: local development and tests only. */
	allowPrivateNetwork: vars.ALLOW_PRIVATE_NETWORK,
	/** The origin of signed links; null: the request's. */
	publicBaseUrl: vars.PUBLIC_BASE_URL,
	/** Jobs one tenant may have rendering at once, queue and synchronous paths together. */
	tenantMaxConcurrentRenders: vars.TENANT_MAX_CONCURRENT_RENDERS,
	/** How long one event stream stays open before it ends (the client resumes with Last-Event-ID). */
	eventStreamMaxMs: vars.EVENT_STREAM_MAX_SECONDS * 1000,
}));
export type Config = z.output<typeof ConfigVars>;
