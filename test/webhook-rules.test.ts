// Webhook retry rules, Retry-After parsing, the schedule config and signatures across a rotation.
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { config } from "../src/config";
import { buildHeaders } from "../src/webhooks/deliver";
import { decide, parseRetryAfter, type AttemptOutcome } from "../src/webhooks/policy";
import { signatureHeader, tenantWebhookSecret } from "../src/webhooks/signing";
import { api } from "./support/api";

const SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000];
const outcome = (httpStatus: number | null, retryAfterSeconds: number | null = null): AttemptOutcome => ({ httpStatus, durationMs: 10, error: null, retryAfterSeconds });

describe("retry decisions", () => {
	it("any 2xx is delivered", () => {
		for (const status of [200, 201, 202, 204, 299]) expect(decide(outcome(status), 1, SCHEDULE)).toEqual({ kind: "delivered" });
	});

	it("follows the schedule: 8 attempts over about 27 hours", () => {
		const delays = SCHEDULE.map((_, i) => decide(outcome(500), i + 1, SCHEDULE));
		expect(delays).toEqual(SCHEDULE.map((delaySeconds) => ({ kind: "retry", delaySeconds })));
		expect(decide(outcome(500), 8, SCHEDULE)).toEqual({ kind: "exhausted" });
		expect(SCHEDULE.reduce((a, b) => a + b, 0) / 3600).toBeCloseTo(27.6, 1);
	});

	it("410 stops; timeouts, network errors, redirects and 4xx retry", () => {
		expect(decide(outcome(410), 1, SCHEDULE)).toEqual({ kind: "gone" });
		for (const status of [null, 302, 400, 404, 500, 502]) expect(decide(outcome(status), 1, SCHEDULE).kind).toBe("retry");
	});

	it("429 and 503 honour Retry-After, capped at 12 hours; others ignore it", () => {
		expect(decide(outcome(429, 120), 1, SCHEDULE)).toEqual({ kind: "retry", delaySeconds: 120 });
		expect(decide(outcome(503, 999_999), 1, SCHEDULE)).toEqual({ kind: "retry", delaySeconds: 43200 });
		expect(decide(outcome(500, 120), 1, SCHEDULE)).toEqual({ kind: "retry", delaySeconds: 5 });
		expect(decide(outcome(429), 2, SCHEDULE)).toEqual({ kind: "retry", delaySeconds: 300 });
	});

	it("parses Retry-After as seconds or an HTTP date", () => {
		const now = Date.parse("2026-01-01T00:00:00Z");
		expect(parseRetryAfter("30", now)).toBe(30);
		expect(parseRetryAfter("Thu, 01 Jan 2026 00:02:00 GMT", now)).toBe(120);
		expect(parseRetryAfter("soon", now)).toBeNull();
		expect(parseRetryAfter(null, now)).toBeNull();
	});

	it("WEBHOOK_RETRY_SCHEDULE is read from the var, with SPEC.md's default", () => {
		expect(config({ ...env, WEBHOOK_RETRY_SCHEDULE: "1, 2,3" }).webhookRetrySchedule).toEqual([1, 2, 3]);
		expect(config({ ...env, WEBHOOK_RETRY_SCHEDULE: "" }).webhookRetrySchedule).toEqual(SCHEDULE);
		expect(config({ ...env, WEBHOOK_RETRY_SCHEDULE: "5,x" }).webhookRetrySchedule).toEqual(SCHEDULE);
	});
});

describe("signatures", () => {
	const body = JSON.stringify({ type: "render.succeeded", timestamp: "2026-01-01T00:00:00.000Z", data: {} });

	it("GET /v1/webhooks/secret returns the caller's whsec_ secret, different per tenant", async () => {
		const acme = (await (await api("/v1/webhooks/secret")).json()) as { secret: string };
		const globex = (await (await api("/v1/webhooks/secret", { key: "test_key_globex" })).json()) as { secret: string };
		expect(acme.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
		expect(acme.secret).toBe(await tenantWebhookSecret(env.SIGNING_SECRET, "acme"));
		expect(globex.secret).not.toBe(acme.secret);
		expect((await api("/v1/webhooks/secret", { key: null })).status).toBe(401);
	});

	it("headers verify with standardwebhooks, unchanged", async () => {
		const headers = await buildHeaders(env, { tenantId: "acme", url: "https://x.test", method: "POST", headers: {}, eventId: "evt_1", body }, new Date());
		const secret = await tenantWebhookSecret(env.SIGNING_SECRET, "acme");
		expect(new Webhook(secret).verify(body, Object.fromEntries(headers))).toEqual(JSON.parse(body));
		const other = await tenantWebhookSecret(env.SIGNING_SECRET, "globex");
		expect(() => new Webhook(other).verify(body, Object.fromEntries(headers))).toThrow();
	});

	it("during a rotation the header carries both signatures, each verifiable", async () => {
		const rotated = { ...env, SIGNING_SECRET: "new-master", SIGNING_SECRET_PREVIOUS: "old-master" };
		const at = new Date();
		const header = await signatureHeader(rotated, "acme", "evt_2", at, body);
		expect(header.split(" ")).toHaveLength(2);
		const headers = { "webhook-id": "evt_2", "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": header };
		for (const master of ["new-master", "old-master"]) {
			expect(new Webhook(await tenantWebhookSecret(master, "acme")).verify(body, headers)).toBeTruthy();
		}
	});
});
