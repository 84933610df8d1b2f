// Production policy: every request a page makes to a private address is aborted inside the browser,
// and the PDF still renders. Loopback requests are observed at the fixture server (none may arrive);
// requests to the cloud metadata address, which no test server can listen on, are observed on the
// DevTools connection: each is intercepted and failed (Fetch.failRequest), never continued.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { relayedBrowser } from "./support/browser-binding";
import { getJob } from "./support/api";
import { deliver, storedJob } from "./support/jobs";
import { storedPdf } from "./support/pdf";
import { probeHits, probePage } from "./support/probe";

interface Cdp {
	method?: string;
	params?: { requestId?: string; request?: { url: string }; errorReason?: string };
}

/** What the browser paused (requestId → URL) and what puppeteer then did with each request. */
function interceptionLog() {
	const paused = new Map<string, string>();
	const verdicts = new Map<string, string[]>();
	const read = (message: string): Cdp => (message.includes('"Fetch.') ? (JSON.parse(message) as Cdp) : {});
	const binding = relayedBrowser({
		fromBrowser: (message) => {
			const event = read(message);
			if (event.method === "Fetch.requestPaused" && event.params?.requestId && event.params.request) paused.set(event.params.requestId, event.params.request.url);
			return { pass: message };
		},
		toBrowser: (message) => {
			const command = read(message);
			const id = command.params?.requestId;
			if (id && (command.method === "Fetch.failRequest" || command.method === "Fetch.continueRequest")) {
				verdicts.set(id, [...(verdicts.get(id) ?? []), `${command.method}${command.params?.errorReason ? `:${command.params.errorReason}` : ""}`]);
			}
			return { pass: message };
		},
	});
	return { binding, paused, verdicts };
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
		// The metadata address, both spellings: each request was paused and failed, none continued.
		const metadata = [...log.paused].filter(([, url]) => METADATA_HOSTS.has(new URL(url).host));
		expect(new Set(metadata.map(([, url]) => new URL(url).host))).toEqual(METADATA_HOSTS);
		for (const [id, url] of metadata) expect(log.verdicts.get(id), url).toEqual(["Fetch.failRequest:BlockedByClient"]);
	});
});
