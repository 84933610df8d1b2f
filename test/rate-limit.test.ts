// The per-tenant limit on creating renders: 600 a minute, then 429 with Retry-After; other tenants unaffected.
// The local limiter (miniflare's, like the platform's) counts in windows aligned to the clock minute,
// so the test starts at the beginning of a window: 601 requests then all fall in one.
import { describe, expect, it } from "vitest";
import { postRender } from "./support/api";
import { TEST_KEYS } from "./support/bindings";
import { expectError } from "./support/errors";
import { poll } from "./support/poll";

const WINDOW_MS = 60_000;
const LIMIT = 600;
const windowOf = (ms: number) => Math.floor(ms / WINDOW_MS);
const msLeftInWindow = () => WINDOW_MS - (Date.now() % WINDOW_MS);

describe("rate limit", () => {
	it("answers 429 JSON with Retry-After at request 601 of a minute, and not before", async () => {
		// Less than 45 s left in this window: wait for the next one to begin.
		if (msLeftInWindow() < 45_000) await poll(() => msLeftInWindow() > 55_000, { timeout: WINDOW_MS, interval: 100 });
		const window = windowOf(Date.now());
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
});
