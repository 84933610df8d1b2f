// The Worker's vars through src/config.ts: documented defaults, the parsed values, and what a
// malformed var costs (its default, and one log line per isolate naming it, never its value).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { config } from "../src/config";
import { logsOfEachTest } from "./support/worker/logs";

const logs = logsOfEachTest();

const VARS = [
	"WEBHOOK_RETRY_SCHEDULE",
	"RENDER_MAX_ATTEMPTS",
	"RETENTION_SECONDS",
	"ALLOW_PRIVATE_NETWORK",
	"PUBLIC_BASE_URL",
	"TENANT_MAX_CONCURRENT_RENDERS",
	"EVENT_STREAM_MAX_SECONDS",
] as const;

const DEFAULTS = {
	webhookRetrySchedule: [5, 300, 1800, 7200, 18000, 36000, 36000],
	renderMaxAttempts: 3,
	retentionSeconds: 604800,
	allowPrivateNetwork: false,
	publicBaseUrl: null,
	tenantMaxConcurrentRenders: 8,
	eventStreamMaxMs: 900_000,
};

/** The test env with every var set to `value` (undefined: not set at all), then `vars` on top. */
function envWith(value: string | undefined, vars: Partial<Record<(typeof VARS)[number], string>> = {}): Env {
	return { ...env, ...Object.fromEntries(VARS.map((name) => [name, value])), ...vars };
}

describe("configuration vars", () => {
	it("a var that is not set, or blank, reads as its documented default", () => {
		expect(config(envWith(undefined))).toEqual(DEFAULTS);
		expect(config(envWith(""))).toEqual(DEFAULTS);
		expect(config(envWith("  "))).toEqual(DEFAULTS);
		expect(logs().records()).toEqual([]);
	});

	it("well-formed vars are read: numbers, a true flag in any case, the base URL without its trailing slashes, the stream limit in ms", () => {
		const read = config(
			envWith(undefined, {
				WEBHOOK_RETRY_SCHEDULE: " 1, 2.5 ,60",
				RENDER_MAX_ATTEMPTS: "5",
				RETENTION_SECONDS: "3600",
				ALLOW_PRIVATE_NETWORK: "TRUE",
				PUBLIC_BASE_URL: "https://pdf.example.com/base//",
				TENANT_MAX_CONCURRENT_RENDERS: "2",
				EVENT_STREAM_MAX_SECONDS: "60",
			}),
		);
		expect(read).toEqual({
			webhookRetrySchedule: [1, 2.5, 60],
			renderMaxAttempts: 5,
			retentionSeconds: 3600,
			allowPrivateNetwork: true,
			publicBaseUrl: "https://pdf.example.com/base",
			tenantMaxConcurrentRenders: 2,
			eventStreamMaxMs: 60_000,
		});
		expect(config(envWith(undefined, { ALLOW_PRIVATE_NETWORK: "false" })).allowPrivateNetwork).toBe(false);
		expect(logs().records()).toEqual([]);
	});

	it("a malformed var takes its default and is logged once per isolate, by name and never by value; the others are still read", () => {
		const malformed = {
			RENDER_MAX_ATTEMPTS: "three",
			RETENTION_SECONDS: "-5",
			ALLOW_PRIVATE_NETWORK: "yes-please",
			PUBLIC_BASE_URL: "ftp://files.example.com",
			EVENT_STREAM_MAX_SECONDS: "15min",
		};
		const read = config(envWith(undefined, { ...malformed, TENANT_MAX_CONCURRENT_RENDERS: "4", WEBHOOK_RETRY_SCHEDULE: "10,20" }));
		expect(read).toEqual({ ...DEFAULTS, tenantMaxConcurrentRenders: 4, webhookRetrySchedule: [10, 20] });

		const reported = () =>
			logs()
				.records()
				.filter((r) => r.msg === "malformed configuration var: its default is used");
		expect(reported().map((r) => r.var)).toEqual(Object.keys(malformed));
		for (const line of reported()) expect(line).toMatchObject({ level: "error", problem: expect.stringMatching(/^must be /) });
		const text = logs().lines.join("\n");
		for (const value of Object.values(malformed)) expect(text).not.toContain(value);

		// Another env with the same mistakes (a later request) is parsed again, but not reported again.
		const before = reported().length;
		expect(config(envWith(undefined, malformed))).toEqual(DEFAULTS);
		expect(reported()).toHaveLength(before);
	});

	it("each env object is parsed once: the same object answers the same Config", () => {
		const one = envWith(undefined, { RENDER_MAX_ATTEMPTS: "7" });
		expect(config(one)).toBe(config(one));
		const other = { ...one };
		expect(config(other)).not.toBe(config(one));
		expect(config(other)).toEqual(config(one));
	});
});
