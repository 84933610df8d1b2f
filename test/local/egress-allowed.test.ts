// With private networks allowed, the same vectors as test/egress.test.ts: those that follow the
// address policy now reach the listener, every part of each (so each vector is real and the listener
// sees it), and those switched off for rendered pages still never do. Each switched-off one has a
// positive control: the same markup on a page with no guard at all does reach the listener.
import { env } from "cloudflare:workers";
import puppeteer, { type Browser } from "@cloudflare/puppeteer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { download, renderToEnd } from "../support/worker/api";
import { connections, openListener, serviceWorkerFetches, serviceWorkerPage, sharedWorkerPage, withUnguardedPage } from "../support/worker/egress";
import { missingOf, missingParts, NAVIGATES_AWAY, REFUSED_FOR_OPAQUE_ORIGINS, SWITCHED_OFF, VECTORS, vectorPage } from "../support/worker/egress-vectors";
import { readPdf } from "../support/worker/pdf";
import { poll } from "../support/worker/poll";

/** Waits until every part has reached the listener on `port`; fails after the poll's bound. */
function reachedByAll(port: number, missing: (reached: Awaited<ReturnType<typeof connections>>) => string[]): Promise<true> {
	return poll(async () => (missing(await connections(port)).length === 0 ? true : undefined));
}

describe("egress with private networks allowed", () => {
	for (const name of Object.keys(VECTORS)) {
		const off = SWITCHED_OFF.has(name) || REFUSED_FOR_OPAQUE_ORIGINS.has(name);
		const label = SWITCHED_OFF.has(name) ? "still switched off" : off ? "refused by Chrome for an opaque origin" : "reaches the listener";
		it.concurrent(`${name}: ${label}, and the page prints`, async ({ expect }) => {
			const port = await openListener();
			const job = await renderToEnd({ html: vectorPage(name, port), page: { delayMs: 1500 } });
			expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
			const text = (await readPdf(await (await download(job.document!.url)).arrayBuffer())).text;
			if (!NAVIGATES_AWAY.has(name)) expect(text).toContain("VISIBLE-TEXT");
			if (off) expect(await connections(port)).toEqual([]);
			// Every part of the vector, not just one of them; a pagehide beacon leaves as the job's page
			// closes, which may be after the job reads as succeeded.
			else await reachedByAll(port, (reached) => missingParts(name, reached));
		});
	}

	it("a page on a real origin cannot register a service worker (its script is never fetched, its fetch never sent)", async () => {
		const port = await openListener();
		const job = await renderToEnd({ url: serviceWorkerPage(port), page: { delayMs: 1000 } });
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		expect(await serviceWorkerFetches(port)).toBe(0);
		expect(await connections(port)).toEqual([]);
	});

	it("a shared worker on a real origin runs and fetches, but its WebSocket never connects", async () => {
		const port = await openListener();
		const job = await renderToEnd({ url: sharedWorkerPage(port), page: { delayMs: 1500 } });
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		expect((await connections(port)).map((c) => c.first)).toEqual(["GET /shared-fetch HTTP/1.1"]);
	});
});

describe("positive controls: on a page with no guard at all, what the guard switches off connects", () => {
	let browser: Browser;
	beforeAll(async () => {
		browser = await puppeteer.launch(env.BROWSER);
	});
	afterAll(async () => {
		await browser.close();
	});

	for (const name of SWITCHED_OFF) {
		it.concurrent(`${name}: reaches the listener from a page without the guard`, async () => {
			const port = await openListener();
			await withUnguardedPage(browser, async (page) => {
				await page.setContent(vectorPage(name, port));
				await reachedByAll(port, (reached) => missingParts(name, reached));
			});
		});
	}

	it("a service worker registered by a page on a real origin is fetched and fetches from the listener", async () => {
		const port = await openListener();
		await withUnguardedPage(browser, async (page) => {
			await page.goto(serviceWorkerPage(port));
			await reachedByAll(port, (reached) => missingOf(["GET /sw-fetch"], reached));
		});
		expect(await serviceWorkerFetches(port)).toBeGreaterThan(0);
	});

	it("a shared worker on a real origin opens its WebSocket", async () => {
		const port = await openListener();
		await withUnguardedPage(browser, async (page) => {
			await page.goto(sharedWorkerPage(port));
			await reachedByAll(port, (reached) => missingOf(["GET /shared-fetch", "GET /shared-ws"], reached));
		});
	});
});
