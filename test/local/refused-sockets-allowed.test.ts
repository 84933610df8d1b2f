// With private networks allowed, the listener on 127.0.0.1 is an address the policy lets through:
// a page's sockets still never reach it (the stand-ins of lockdown.ts open nothing), while the page
// prints. The positive control shows the same page connects when there is no guard.
import { env } from "cloudflare:workers";
import puppeteer, { type Browser } from "@cloudflare/puppeteer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { download, renderToEnd } from "../support/worker/api";
import { connections, openListener, socketsPage, withUnguardedPage } from "../support/worker/egress";
import { missingOf } from "../support/worker/egress-vectors";
import { readPdf } from "../support/worker/pdf";
import { poll } from "../support/worker/poll";
import { DASHBOARD_EVENTS, dashboardPage } from "../support/common/socket-pages";

async function printedText(body: Record<string, unknown>): Promise<string> {
	const job = await renderToEnd(body);
	expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
	return (await readPdf(await (await download(job.document?.url ?? null)).arrayBuffer())).text;
}

describe("refused sockets with private networks allowed", () => {
	it("a page's start-up WebSocket to an allowed address never connects; the page prints its content and sees error, close", async () => {
		const port = await openListener();
		const text = await printedText({ html: dashboardPage(port), page: { waitForSelector: "#settled", timeoutMs: 10_000 } });
		expect(text).toContain("DASHBOARD-CONTENT");
		for (const line of DASHBOARD_EVENTS) expect(text).toContain(line);
		expect(await connections(port)).toEqual([]);
	});

	it("on a real origin (a secure context) WebTransport and WebSocketStream reject, RTCPeerConnection gathers nothing; nothing connects", async () => {
		const port = await openListener();
		const text = await printedText({ url: socketsPage(port), page: { waitForSelector: "#settled", timeoutMs: 10_000 } });
		expect(text).toContain("WebSocketStream: rejected NetworkError, rejected NetworkError");
		expect(text).toContain("WebTransport: rejected WebTransportError, rejected WebTransportError");
		expect(text).toContain("RTCPeerConnection: gathered 0 candidates, have-local-offer");
		expect(await connections(port)).toEqual([]);
	});
});

describe("positive control: the same page without the guard", () => {
	let browser: Browser;
	beforeAll(async () => {
		browser = await puppeteer.launch(env.BROWSER);
	});
	afterAll(async () => {
		await browser.close();
	});

	it("the dashboard's WebSocket reaches the listener from a page without the guard", async () => {
		const port = await openListener();
		await withUnguardedPage(browser, async (page) => {
			await page.setContent(dashboardPage(port));
			await poll(async () => (missingOf(["GET /live"], await connections(port)).length === 0 ? true : undefined));
		});
	});
});
