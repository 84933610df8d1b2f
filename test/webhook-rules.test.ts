// Webhook retry rules, Retry-After parsing, the schedule config and signatures across a rotation.
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { config } from "../src/config";
import { buildHeaders } from "../src/webhooks/deliver";
import { decide, parseRetryAfter, type AttemptOutcome } from "../src/webhooks/policy";
import { signatureHeader, tenantWebhookSecret } from "../src/webhooks/signing";
import { beginAttempt, endAttempt, restartSeries, type WebhookTurn } from "../src/webhooks/state";
import { api, BASE } from "./support/worker/api";
import { expectError } from "./support/worker/errors";
import { jobRecord, webhookTo } from "./support/worker/jobs";
import { signedUrl } from "../src/storage/signed-links";

const SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000];
const outcome = (httpStatus: number | null, retryAfterSeconds: number | null = null): AttemptOutcome => ({
	httpStatus,
	durationMs: 10,
	error: null,
	retryAfterSeconds,
});

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

	it("WEBHOOK_RETRY_SCHEDULE is read from the var, with the documented default", () => {
		expect(config({ ...env, WEBHOOK_RETRY_SCHEDULE: "1, 2,3" }).webhookRetrySchedule).toEqual([1, 2, 3]);
		expect(config({ ...env, WEBHOOK_RETRY_SCHEDULE: "" }).webhookRetrySchedule).toEqual(SCHEDULE);
		expect(config({ ...env, WEBHOOK_RETRY_SCHEDULE: "5,x" }).webhookRetrySchedule).toEqual(SCHEDULE);
	});
});

describe("attempt series (pure)", () => {
	/** A finished job whose event is recorded and waits for its first attempt. */
	const withEvent = () => {
		const webhook = webhookTo("https://hooks.example.com/x")!;
		return jobRecord({ status: "succeeded", webhook: { ...webhook, eventId: "evt_x", eventBody: "{}" } });
	};
	const attemptOf = (turn: WebhookTurn) => {
		if (turn.kind !== "send") throw new Error(`expected to send, got ${turn.kind}`);
		return turn.attempt;
	};

	it("one sender at a time: a copy of the message waits while the attempt's lease holds, and takes over once it lapsed", () => {
		const job = withEvent();
		expect(attemptOf(beginAttempt(job, 1, 0))).toBe(1);
		const lapsesAt = job.webhook!.leaseUntil!;
		expect(beginAttempt(job, 1, lapsesAt - 1)).toEqual({ kind: "busy", retryAfterSeconds: 1 });
		expect(attemptOf(beginAttempt(job, 1, lapsesAt))).toBe(2);
	});

	it("a late failing answer from an attempt a copy took over is stale: it neither records nor sets the event back to pending", () => {
		const job = withEvent();
		const first = attemptOf(beginAttempt(job, 1, 0));
		const copy = attemptOf(beginAttempt(job, 1, job.webhook!.leaseUntil!));
		expect(endAttempt(job, { series: 1, attempt: first }, outcome(500), SCHEDULE, 50_000)).toEqual({ kind: "stale" });
		expect(job.webhook).toMatchObject({ status: "delivering", seriesAttempts: 2, attempts: [], nextAttemptAt: null });
		// The copy's own answer counts, once.
		expect(endAttempt(job, { series: 1, attempt: copy }, outcome(200), SCHEDULE, 51_000)).toEqual({ kind: "delivered" });
		expect(job.webhook).toMatchObject({ status: "delivered", attempts: [{ httpStatus: 200 }] });
		expect(endAttempt(job, { series: 1, attempt: copy }, outcome(200), SCHEDULE, 52_000)).toEqual({ kind: "stale" });
		expect(beginAttempt(job, 1, 53_000)).toEqual({ kind: "done", deadLetter: false });
	});

	it("an attempt whose lease lapsed with nobody taking over still records its answer; an older series' answer is stale", () => {
		const job = withEvent();
		const first = attemptOf(beginAttempt(job, 1, 0));
		const late = job.webhook!.leaseUntil! + 60_000;
		expect(endAttempt(job, { series: 1, attempt: first }, outcome(500), SCHEDULE, late)).toEqual({ kind: "retry", delaySeconds: SCHEDULE[0] });
		expect(job.webhook).toMatchObject({ status: "pending", nextAttemptAt: late + SCHEDULE[0]! * 1000, attempts: [{ httpStatus: 500 }] });
		const second = attemptOf(beginAttempt(job, 1, late + 1));
		restartSeries(job.webhook!);
		expect(endAttempt(job, { series: 1, attempt: second }, outcome(200), SCHEDULE, late + 2)).toEqual({ kind: "stale" });
		expect(attemptOf(beginAttempt(job, 2, late + 3))).toBe(1);
	});
});

describe("signatures", () => {
	const body = JSON.stringify({ type: "render.succeeded", timestamp: "2026-01-01T00:00:00.000Z", data: {} });

	it("GET /v1/webhooks/secret returns the caller's whsec_ secret, which verifies what the sender signs, different per tenant", async () => {
		const acme = (await (await api("/v1/webhooks/secret")).json()) as { secret: string };
		const globex = (await (await api("/v1/webhooks/secret", { key: "test_key_globex" })).json()) as { secret: string };
		expect(acme.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
		const headers = Object.fromEntries(
			await buildHeaders(env, { tenantId: "acme", url: "https://x.test", method: "POST", headers: {}, eventId: "evt_s", body }, new Date()),
		);
		expect(new Webhook(acme.secret).verify(body, headers)).toEqual(JSON.parse(body));
		expect(() => new Webhook(globex.secret).verify(body, headers)).toThrow();
		expect(globex.secret).not.toBe(acme.secret);
		await expectError(await api("/v1/webhooks/secret", { key: null }), 401, "UNAUTHORIZED");
	});

	it("keys come from SIGNING_SECRET by HKDF-SHA256, one per purpose and tenant", async () => {
		// An independent HKDF (RFC 5869) over Web Crypto: salt "edge-pdf/v1", info naming the purpose.
		const hkdf = async (info: string) => {
			const master = await crypto.subtle.importKey("raw", new TextEncoder().encode(env.SIGNING_SECRET), "HKDF", false, ["deriveBits"]);
			const salt = new TextEncoder().encode("edge-pdf/v1");
			return new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info: new TextEncoder().encode(info) }, master, 256));
		};
		const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
		const b64url = (bytes: Uint8Array) => b64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
		// The webhook secrets: one per tenant.
		const secret = (await (await api("/v1/webhooks/secret")).json()) as { secret: string };
		expect(secret.secret).toBe(`whsec_${b64(await hkdf("webhook-secret:acme"))}`);
		// The download links: HMAC-SHA256 with the "download-links" key, not the master secret.
		const path = "/v1/files/ren_00000000000000000000000000";
		const url = new URL(await signedUrl(env, BASE, path, 2_000_000_000));
		const linkKey = await crypto.subtle.importKey("raw", await hkdf("download-links"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
		const mac = new Uint8Array(await crypto.subtle.sign("HMAC", linkKey, new TextEncoder().encode(`GET\n${path}\n2000000000`)));
		expect(url.searchParams.get("signature")).toBe(b64url(mac));
		// No two purposes or tenants share a key.
		const keys = await Promise.all(["download-links", "webhook-secret:acme", "webhook-secret:globex"].map(async (info) => b64(await hkdf(info))));
		expect(new Set(keys).size).toBe(3);
	});

	it("a caller's webhook.headers cannot set the signature headers, content-type, host or content-length", async () => {
		const forged = {
			"Webhook-Id": "evil",
			"webhook-timestamp": "1",
			"Webhook-Signature": "v1,forged",
			"Content-Type": "text/plain",
			Host: "evil.example",
			"Content-Length": "3",
			"X-Ref": "kept",
		};
		const headers = await buildHeaders(env, { tenantId: "acme", url: "https://x.test", method: "POST", headers: forged, eventId: "evt_h", body }, new Date());
		expect(headers.get("webhook-id")).toBe("evt_h");
		expect(headers.get("webhook-signature")).not.toContain("forged");
		expect(headers.get("webhook-timestamp")).not.toBe("1");
		expect(headers.get("content-type")).toBe("application/json");
		expect(headers.has("host")).toBe(false);
		expect(headers.has("content-length")).toBe(false);
		expect(headers.get("x-ref")).toBe("kept");
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
