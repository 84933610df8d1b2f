// How a URL render's navigation fails under production's address policy: a host that does not
// resolve fails at once; a main document redirected to a refused address fails with URL_NOT_ALLOWED.
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { getJob } from "./support/api";
import { relayedBrowser } from "./support/browser-binding";
import { deliver, storedJob } from "./support/jobs";

/**
 * The real browser, reached through a relay that makes `publicUrl` stand for `localUrl`: the
 * browser loads the local page while the Worker, and so the address policy, sees only the public
 * address. That is a public page whose server redirects, without a public server.
 */
function aliasedBrowser(publicUrl: string, localUrl: string): Env["BROWSER"] {
	// The local server stands for a public one, so the egress sink lets it through as it would a
	// public address: one more bypass rule after "<-loopback>" (the last rule wins).
	const local = new URL(localUrl).hostname;
	return relayedBrowser({
		toBrowser: (message) => ({ pass: message.replaceAll(publicUrl, localUrl).replace("<-loopback>", `<-loopback>,${local}`) }),
		fromBrowser: (message) => ({ pass: message.replaceAll(localUrl, publicUrl) }),
	});
}

describe("navigation failures", () => {
	it("a host whose DNS lookup fails is a permanent failure: NAVIGATION_FAILED after one attempt", async () => {
		// .invalid never resolves (RFC 6761).
		const { job } = await storedJob({ url: "https://edge-pdf-no-such-host.invalid/" });
		const result = await deliver("edge-pdf-render", [{ jobId: job.id }]);
		expect(result.explicitAcks).toHaveLength(1);
		const done = await getJob(job.id);
		expect(done).toMatchObject({ status: "failed", attempts: 1 });
		expect(done.error?.code).toBe("NAVIGATION_FAILED");
		expect(done.error?.message).toMatch(/ERR_NAME_NOT_RESOLVED|ERR_NAME_RESOLUTION_FAILED/);
	});

	it("a main document redirected to a refused address fails the job with URL_NOT_ALLOWED", async () => {
		const publicUrl = "https://redirects.example.com/start";
		const { job } = await storedJob({ url: publicUrl });
		const browser = aliasedBrowser(publicUrl, `${inject("fixtureOrigin")}/redirect-to-metadata`);
		const result = await deliver("edge-pdf-render", [{ jobId: job.id }], { ...env, BROWSER: browser });
		expect(result.explicitAcks).toHaveLength(1);
		const done = await getJob(job.id);
		expect(done).toMatchObject({ status: "failed", attempts: 1 });
		expect(done.error?.code).toBe("URL_NOT_ALLOWED");
		expect(done.error?.message).toContain("169.254.169.254");
		expect(await env.DOCUMENTS.head(`documents/acme/${job.id}.pdf`)).toBeNull();
	});
});
