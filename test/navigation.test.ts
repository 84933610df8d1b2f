// How a URL render's navigation fails under production's address policy: a host that does not
// resolve fails at once; a main document redirected to a refused address fails with URL_NOT_ALLOWED.
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { getJob } from "./support/worker/api";
import { aliasedBrowser } from "./support/worker/browser-binding";
import { deliver, storedJob } from "./support/worker/jobs";

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
		const browser = aliasedBrowser(publicUrl, `${inject("fixtureOrigin")}/redirect-to-metadata`, { publicAddress: true });
		const result = await deliver("edge-pdf-render", [{ jobId: job.id }], { ...env, BROWSER: browser });
		expect(result.explicitAcks).toHaveLength(1);
		const done = await getJob(job.id);
		expect(done).toMatchObject({ status: "failed", attempts: 1 });
		expect(done.error?.code).toBe("URL_NOT_ALLOWED");
		expect(done.error?.message).toContain("169.254.169.254");
		expect(await env.DOCUMENTS.head(`documents/acme/${job.id}.pdf`)).toBeNull();
	});
});
