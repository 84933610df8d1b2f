// POST /v1/renders/{id}/webhook is rate-limited per tenant (REDELIVERY_LIMITER: 30 a minute),
// counted before the job is looked up; other tenants are unaffected. The binding counts in windows
// aligned to the wall clock (window = floor(now / period), as its local simulation in miniflare
// does), so the test runs all its calls inside one window. That the count starts again in the next
// window is the binding's own behaviour and is not waited for here: it would cost up to a minute.
import { describe, expect, it } from "vitest";
import { newJobId } from "../src/jobs/ids";
import { api } from "./support/worker/api";
import { TEST_KEYS } from "./support/common/bindings";
import { poll } from "./support/worker/poll";

/** REDELIVERY_LIMITER in wrangler.toml. */
const LIMIT = 30;
const PERIOD_MS = 60_000;
/** Time the calls need on a busy machine, with room to spare: a window with less left is skipped. */
const ROOM_MS = 15_000;

const windowOf = (at: number) => Math.floor(at / PERIOD_MS);
const redeliver = (key: string) => api(`/v1/renders/${newJobId()}/webhook`, { method: "POST", key });

describe("redelivery rate limit", () => {
	it("answers 429 with Retry-After once a tenant exceeds 30 redeliveries a minute", async () => {
		// Start in a window with room for every call (a wait on the clock only in its last seconds).
		await poll(() => (PERIOD_MS - (Date.now() % PERIOD_MS) >= ROOM_MS ? true : undefined), { timeout: ROOM_MS + 5_000, interval: 250 });
		const window = windowOf(Date.now());
		const statuses: number[] = [];
		for (let i = 0; i < LIMIT; i++) statuses.push((await redeliver(TEST_KEYS.burst)).status);
		const limited = await redeliver(TEST_KEYS.burst);
		expect(windowOf(Date.now()), "the calls crossed into the next window").toBe(window);
		// Exactly LIMIT calls pass (each looks up its unknown job: 404), and the next is refused.
		expect(statuses).toEqual(Array(LIMIT).fill(404));
		expect(limited.status).toBe(429);
		expect(limited.headers.get("retry-after")).toBe(String(PERIOD_MS / 1000));
		expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
		expect((await redeliver(TEST_KEYS.globex)).status).toBe(404);
	});
});
