// Under the production policy, a page's sockets fail like a refused connection (lockdown.ts,
// refused-sockets.ts): its script goes on and its content prints, it sees the events a refused
// connection gives, and nothing reaches the listener on 127.0.0.1.
import { describe, expect, it } from "vitest";
import { download, renderToEnd } from "./support/worker/api";
import { connections, openListener } from "./support/worker/egress";
import { readPdf } from "./support/worker/pdf";
import { DASHBOARD_EVENTS, dashboardPage, otherSocketsPage } from "./support/common/socket-pages";

async function printedText(body: Record<string, unknown>): Promise<string> {
	const job = await renderToEnd(body);
	expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
	return (await readPdf(await (await download(job.document?.url ?? null)).arrayBuffer())).text;
}

describe("sockets fail like a refused connection", () => {
	it("a page that opens a WebSocket at start-up prints its content; it sees error then close (1006) and readyState 3; nothing connects", async () => {
		const port = await openListener();
		const text = await printedText({ html: dashboardPage(port), page: { waitForSelector: "#settled", timeoutMs: 10_000 } });
		expect(text).toContain("DASHBOARD-CONTENT");
		expect(text).not.toContain("Connecting");
		const order = DASHBOARD_EVENTS.map((line) => text.indexOf(line));
		expect(order.every((at) => at >= 0) && order.every((at, i) => i === 0 || at > (order[i - 1] ?? 0)), text).toBe(true);
		expect(await connections(port)).toEqual([]);
	});

	it("WebSocketStream rejects its promises and an RTCPeerConnection gathers no candidate; the script goes on; nothing connects", async () => {
		const port = await openListener();
		const text = await printedText({ html: otherSocketsPage(port), page: { waitForSelector: "#settled", timeoutMs: 10_000 } });
		expect(text).toContain("WebSocketStream: rejected NetworkError, rejected NetworkError");
		// Chromium exposes WebTransport to secure contexts only, which an html job's page is not: the
		// local-network tests render this page from a real origin, where it exists.
		expect(text).toContain("WebTransport threw ReferenceError");
		expect(text).toContain("RTCPeerConnection: gathered 0 candidates, have-local-offer");
		expect(await connections(port)).toEqual([]);
	});
});
