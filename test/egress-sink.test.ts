// The egress sink alone, in the real Chromium, with no request interception and no page script:
// a job context's proxy takes the connections the policy refuses, and Chrome applies the whole
// bypass list it is given (test/egress.test.ts has the vectors that only the sink stops).
import { env } from "cloudflare:workers";
import puppeteer, { type Browser, type BrowserContextOptions } from "@cloudflare/puppeteer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contextOptions, namePatterns, SINK_PROXY } from "../src/render/egress-sink";
import { connections, openListener } from "./support/worker/egress";

let browser: Browser;
beforeAll(async () => {
	browser = await puppeteer.launch(env.BROWSER);
});
afterAll(async () => {
	await browser.close();
});

/** Loads a page whose image points at the listener, in a context with `options`; waits until the image has loaded or failed. */
async function imageTo(port: number, options: BrowserContextOptions, host = "127.0.0.1"): Promise<void> {
	const context = await browser.createBrowserContext(options);
	try {
		const page = await context.newPage();
		await page.setContent(`<img id="i" src="http://${host}:${port}/direct.png">`);
		await page.waitForFunction('document.getElementById("i").complete', { timeout: 20_000 });
	} finally {
		await context.close();
	}
}

describe("the egress sink (production policy)", () => {
	const production = contextOptions({ allowPrivateNetwork: false });

	it("an image aimed at 127.0.0.1 fails in the sink: no connection reaches the address", async () => {
		const port = await openListener();
		await imageTo(port, production);
		expect(await connections(port)).toEqual([]);
	});

	it("Chrome applies the whole list, last rule winning: one more rule after <-loopback> lets the same image through", async () => {
		const port = await openListener();
		await imageTo(port, { ...production, proxyBypassList: [...(production.proxyBypassList ?? []), "127.0.0.1"] });
		expect((await connections(port)).map((c) => c.first)).toEqual(["GET /direct.png HTTP/1.1"]);
	});

	// Names under .localhost are the only ones Chrome resolves to this machine by itself, so they
	// show that Chrome reads generated patterns as test/public-ranges.test.ts models them. Here
	// ".localhost" is not refused ("<-loopback>" goes first, so it decides nothing for them).
	it("Chrome reads the generated name patterns as modelled: a two-star pattern lets egress.localhost through", async () => {
		const port = await openListener();
		// Refusing ".ocalhost" leaves "*.*localhost" among the patterns.
		await imageTo(port, { proxyServer: SINK_PROXY, proxyBypassList: ["<-loopback>", ...namePatterns([".ocalhost"])] }, "egress.localhost");
		expect((await connections(port)).map((c) => c.first)).toEqual(["GET /direct.png HTTP/1.1"]);
	});

	it("… and a tail pattern lets egress.localhost through while a.ss.localhost, under the refused suffix, goes to the sink", async () => {
		const options = { proxyServer: SINK_PROXY, proxyBypassList: ["<-loopback>", ...namePatterns([".ss.localhost"])] };
		const through = await openListener();
		await imageTo(through, options, "egress.localhost");
		expect((await connections(through)).map((c) => c.first)).toEqual(["GET /direct.png HTTP/1.1"]);
		const sunk = await openListener();
		await imageTo(sunk, options, "a.ss.localhost");
		expect(await connections(sunk)).toEqual([]);
	});

	it("with private networks allowed there is no sink, and the image reaches the listener", async () => {
		const port = await openListener();
		await imageTo(port, contextOptions({ allowPrivateNetwork: true }));
		expect((await connections(port)).map((c) => c.first)).toEqual(["GET /direct.png HTTP/1.1"]);
	});
});
