// Production policy: every request a page makes to a private address is aborted inside the browser,
// and the PDF still renders. Loopback requests are observed at the fixture server (none may arrive);
// requests to the cloud metadata address, which no test server can listen on, are observed on the
// DevTools connection: each is refused inside the browser, either by the renderer's blocklist
// (Network.setBlockedURLs: loadingFailed with a blockedReason) or by interception (Fetch.failRequest,
// or for a frame's navigation an empty 204 made in the browser, Fetch.fulfillRequest), and none is
// ever continued.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { relayedBrowser } from "./support/worker/browser-binding";
import { getJob } from "./support/worker/api";
import { deliver, storedJob } from "./support/worker/jobs";
import { storedPdf } from "./support/worker/pdf";
import { probeHits, probePage } from "./support/worker/probe";

interface Cdp {
	method?: string;
	params?: { requestId?: string; request?: { url: string }; errorReason?: string; blockedReason?: string };
}

/** What the browser paused or sent (requestId → URL), what puppeteer did with each paused one, and which the renderer blocked. */
function interceptionLog() {
	const paused = new Map<string, string>();
	const sent = new Map<string, string>();
	const blocked = new Set<string>();
	const verdicts = new Map<string, string[]>();
	const read = (message: string): Cdp => (message.includes('"Fetch.') || message.includes('"Network.') ? (JSON.parse(message) as Cdp) : {});
	const binding = relayedBrowser({
		fromBrowser: (message) => {
			const event = read(message);
			const id = event.params?.requestId;
			if (event.method === "Fetch.requestPaused" && id && event.params?.request) paused.set(id, event.params.request.url);
			if (event.method === "Network.requestWillBeSent" && id && event.params?.request) sent.set(id, event.params.request.url);
			if (event.method === "Network.loadingFailed" && id && event.params?.blockedReason) blocked.add(id);
			return { pass: message };
		},
		toBrowser: (message) => {
			const command = read(message);
			const id = command.params?.requestId;
			if (id && (command.method === "Fetch.failRequest" || command.method === "Fetch.continueRequest" || command.method === "Fetch.fulfillRequest")) {
				verdicts.set(id, [...(verdicts.get(id) ?? []), `${command.method}${command.params?.errorReason ? `:${command.params.errorReason}` : ""}`]);
			}
			return { pass: message };
		},
	});
	return { binding, paused, sent, blocked, verdicts };
}

const METADATA_HOSTS = new Set(["169.254.169.254", "[::ffff:a9fe:a9fe]"]);

describe("requests a page makes while rendering", () => {
	it("img, iframe, fetch, XHR and stylesheets to loopback and 169.254.169.254 never leave the browser", async () => {
		const token = crypto.randomUUID();
		const { job } = await storedJob({ page: { waitUntil: "networkidle0" } }, probePage(token, true));
		const log = interceptionLog();
		const result = await deliver("edge-pdf-render", [{ jobId: job.id }], { ...env, BROWSER: log.binding });
		expect(result.explicitAcks).toHaveLength(1);
		const done = await getJob(job.id);
		expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
		const { text } = (await storedPdf(job.id)).facts;
		expect(text).toContain("VISIBLE-TEXT");
		expect(text).not.toContain("PROBE-CONTENT");
		// Loopback: nothing reached the server.
		expect(await probeHits(token)).toEqual([]);
		// The metadata address, both spellings: every request to it was refused in the browser, none continued.
		const isMetadata = (url: string) => METADATA_HOSTS.has(new URL(url).host);
		const REFUSALS = ["Fetch.failRequest:BlockedByClient", "Fetch.fulfillRequest"];
		const refusedByInterception = [...log.paused].filter(([id, url]) => isMetadata(url) && REFUSALS.includes(log.verdicts.get(id)?.[0] ?? ""));
		const refusedByRenderer = [...log.sent].filter(([id, url]) => isMetadata(url) && log.blocked.has(id));
		const refused = [...refusedByInterception, ...refusedByRenderer].map(([, url]) => new URL(url).host);
		expect(new Set(refused)).toEqual(METADATA_HOSTS);
		for (const [id, url] of log.paused)
			if (isMetadata(url))
				expect(
					log.verdicts.get(id)?.filter((v) => !REFUSALS.includes(v)),
					url,
				).toEqual([]);
	});
});
