// The per-tenant limit on creating renders: 600 a minute, then 429 with Retry-After; other tenants
// unaffected. Template previews are renders too and count toward the same limit.
// The local limiter (miniflare's, like the platform's) counts in windows aligned to the clock minute,
// so each test starts with enough of a window left for its requests to fall in one, each with a
// tenant of its own (a tenant's count is its own: the other test's requests do not count here).
import { describe, expect, it } from "vitest";
import { api, postRender } from "./support/worker/api";
import { TEST_KEYS } from "./support/common/bindings";
import { expectError } from "./support/worker/errors";
import { fontTenant } from "./support/worker/fonts";
import { poll } from "./support/worker/poll";

const WINDOW_MS = 60_000;
const LIMIT = 600;
const windowOf = (ms: number) => Math.floor(ms / WINDOW_MS);
const msLeftInWindow = () => WINDOW_MS - (Date.now() % WINDOW_MS);

/**
 * Waits, if less than 25 s of this window are left, for the next one to begin; returns the window.
 * The ~600 requests of a test take a few seconds (each test asserts they all fell in one window).
 */
async function freshWindow(): Promise<number> {
	if (msLeftInWindow() < 25_000) await poll(() => msLeftInWindow() > 55_000, { timeout: WINDOW_MS, interval: 100 });
	return windowOf(Date.now());
}

/** A template preview whose body is invalid: cheap, and still counted (the limit comes before validation). */
const invalidPreview = () =>
	api("/v1/templates/tpl_01jd7y3k9q2x4m5n6p7r8s9t0v/preview", {
		method: "POST",
		body: JSON.stringify({ unknown: true }),
		headers: { "content-type": "application/json" },
		key: TEST_KEYS.previews,
	});

describe("rate limit", () => {
	it("answers 429 JSON with Retry-After at request 601 of a minute, and not before", async () => {
		const window = await freshWindow();
		// Invalid bodies are cheap and still count: the limit is checked before validation.
		for (let sent = 0; sent < LIMIT; sent += 50) {
			const statuses = await Promise.all(Array.from({ length: 50 }, async () => (await postRender({}, { key: TEST_KEYS.burst })).status));
			expect(statuses).toEqual(Array.from({ length: 50 }, () => 400));
		}
		const limited = await postRender({}, { key: TEST_KEYS.burst });
		expect(windowOf(Date.now()), "the 601 requests did not fit in one window").toBe(window);
		expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
		await expectError(limited, 429, "RATE_LIMITED");
		expect((await postRender({ html: "<p>other tenant</p>" }, { key: TEST_KEYS.globex })).status).toBe(202);
	}, 120_000);

	it("template previews count toward the same limit: half the minute's 600 as previews, then both answer 429 with Retry-After", async () => {
		const window = await freshWindow();
		for (let sent = 0; sent < LIMIT; sent += 50) {
			const batch = Array.from({ length: 50 }, async (_, i) => (await (i % 2 === 0 ? invalidPreview() : postRender({}, { key: TEST_KEYS.previews }))).status);
			expect(await Promise.all(batch)).toEqual(Array.from({ length: 50 }, () => 400));
		}
		const preview = await invalidPreview();
		const render = await postRender({}, { key: TEST_KEYS.previews });
		expect(windowOf(Date.now()), "the 602 requests did not fit in one window").toBe(window);
		for (const limited of [preview, render]) {
			expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
			await expectError(limited, 429, "RATE_LIMITED");
		}
	}, 150_000);
	it("font and signing key routes count toward the same limit: half the minute's 600 as GET /v1/fonts and /v1/signing-keys, then each answers 429 with Retry-After", async () => {
		const tenant = await fontTenant();
		const render = () => tenant.call("/v1/renders", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
		const window = await freshWindow();
		for (let sent = 0; sent < LIMIT; sent += 50) {
			const settings = (i: number) => tenant.call(i % 4 === 0 ? "/v1/fonts" : "/v1/signing-keys");
			const batch = Array.from({ length: 50 }, async (_, i) => (await (i % 2 === 0 ? settings(i) : render())).status);
			expect(await Promise.all(batch)).toEqual(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 200 : 400)));
		}
		const fonts = await tenant.call("/v1/fonts");
		const keys = await tenant.call("/v1/signing-keys");
		const limited = await render();
		expect(windowOf(Date.now()), "the 603 requests did not fit in one window").toBe(window);
		for (const res of [fonts, keys, limited]) {
			expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
			await expectError(res, 429, "RATE_LIMITED");
		}
	}, 150_000);
});
