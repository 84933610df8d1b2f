// Which kept-alive session a batch joins, against the real local Browser Rendering. Sessions accept
// several connections at once, so the limit on sharing one browser is ours to keep.
import { env } from "cloudflare:workers";
import puppeteer, { type Browser } from "@cloudflare/puppeteer";
import { afterEach, describe, expect, it } from "vitest";
import { acquireBrowser, MAX_SHARED_CONTEXTS, type BrowserLease } from "../src/render/browser";
import { browserBinding, requestPath, type FetchLike } from "./support/worker/browser-binding";

/** The real binding, whose session list shows only `sessionId`, in use by another consumer. */
function listingOnly(sessionId: string): Env["BROWSER"] {
	const fetch: FetchLike = async (input, init) => {
		if (requestPath(input) === "/v1/sessions") {
			return Response.json({ sessions: [{ sessionId, startTime: Date.now(), connectionId: "another-consumer", connectionStartTime: String(Date.now()) }] });
		}
		return env.BROWSER.fetch(input, init);
	};
	return browserBinding(fetch);
}

const opened: Browser[] = [];
const leases: BrowserLease[] = [];

/** A session of its own, holding `jobs` job contexts, as another consumer's batch would. */
async function busySession(jobs: number): Promise<Browser> {
	const browser = await puppeteer.launch(env.BROWSER, { keep_alive: 60_000 });
	opened.push(browser);
	for (let i = 0; i < jobs; i++) await browser.createBrowserContext();
	return browser;
}

afterEach(async () => {
	for (const lease of leases.splice(0)) if (lease.launched) await lease.browser.close().catch(() => undefined);
	for (const browser of opened.splice(0)) await browser.close().catch(() => undefined);
});

describe("sharing a kept-alive session", () => {
	it("joins a session in use while it holds fewer than MAX_SHARED_CONTEXTS job contexts", async () => {
		const busy = await busySession(MAX_SHARED_CONTEXTS - 1);
		const lease = await acquireBrowser({ ...env, BROWSER: listingOnly(busy.sessionId()) });
		leases.push(lease);
		expect(lease.launched).toBe(false);
		expect(lease.browser.sessionId()).toBe(busy.sessionId());
		await lease.release();
	});

	it("launches a new browser rather than join one already carrying MAX_SHARED_CONTEXTS jobs", async () => {
		const busy = await busySession(MAX_SHARED_CONTEXTS);
		const lease = await acquireBrowser({ ...env, BROWSER: listingOnly(busy.sessionId()) });
		leases.push(lease);
		expect(lease.launched).toBe(true);
		expect(lease.browser.sessionId()).not.toBe(busy.sessionId());
		// Looking did not disturb the busy session's jobs.
		expect(busy.browserContexts()).toHaveLength(MAX_SHARED_CONTEXTS + 1);
	});
});
