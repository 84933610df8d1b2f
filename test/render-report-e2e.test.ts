// The render report end to end, under production's address policy: what the page-side collector
// (src/render/print.ts, PrintInput.observe) saw reaches the job's report, capped and redacted.
// A subresource host is a public alias of a local server (aliasedBrowser), so the policy treats it
// as any public host while a private address (10.0.0.5) is refused.
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { getJob, renderToEnd } from "./support/worker/api";
import { aliasedBrowser } from "./support/worker/browser-binding";
import { openListener } from "./support/worker/egress";
import { deliver, storedJob } from "./support/worker/jobs";
import { poll } from "./support/worker/poll";

/** Renders a stored job (of `html`, else of its url) once through `browser`, and returns the ended job. */
async function renderThrough(browser: Env["BROWSER"], html: string | undefined, overrides: Parameters<typeof storedJob>[0] = {}) {
	const { job } = await storedJob(overrides, html);
	// Delivered again while the tenant's render slot is still held by the previous test's job.
	return poll(async () => {
		await deliver("edge-pdf-render", [{ jobId: job.id }], { ...env, BROWSER: browser });
		const ended = await getJob(job.id);
		return ["succeeded", "failed"].includes(ended.status) ? ended : undefined;
	});
}

describe("the render report, end to end", () => {
	it("lists a 404 image, a console error, a page error and a refused request, their URLs without query", async () => {
		// The page (test/support/node/fixture-server.ts "/report-page") and its image come from one public-looking origin.
		const assets = "https://assets.example.com";
		const browser = aliasedBrowser(assets, inject("fixtureOrigin"), { publicAddress: true });
		const job = await renderThrough(browser, undefined, { url: `${assets}/report-page` });
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		const report = job.report;
		expect(report?.resources.failed).toContainEqual({ url: `${assets}/missing?[redacted]`, status: 404 });
		expect(report?.resources.blocked).toContainEqual({ url: "http://10.0.0.5/x?[redacted]", reason: "URL_NOT_ALLOWED" });
		expect(report?.console).toContainEqual({ level: "error", text: expect.stringContaining("boom at https://api.example.com/v1?[redacted]") });
		expect(report?.pageErrors).toEqual([expect.stringMatching(/ReferenceError: notDefined is not defined/)]);
		expect(JSON.stringify(report)).not.toMatch(/s3cret/);
	});

	it("a job that timed out on its last attempt carries a report naming the request still pending", async () => {
		const port = await openListener();
		// A public-looking origin whose server takes the connection and never answers.
		const slow = "http://slow.example.com";
		const browser = aliasedBrowser(slow, `http://127.0.0.1:${port}`, { publicAddress: true });
		// Its second attempt: a page fault is not retried again (run-job.ts), so this report is the job's.
		const job = await renderThrough(browser, undefined, { url: `${slow}/feed?session=s3cret-d`, attempts: 1, page: { timeoutMs: 1500 } });
		expect(job).toMatchObject({ status: "failed", error: { code: "RENDER_TIMEOUT" } });
		expect(job.report?.resources.pending).toContain(`${slow}/feed?[redacted]`);
		expect(job.report).toMatchObject({ fonts: [], accessibility: null });
	});

	it("a strict wait that timed out is named in the report", async () => {
		const job = await renderThrough(env.BROWSER, "<p>no chart</p>", { attempts: 1, page: { waitForSelector: "#chart", timeoutMs: 1000 } });
		expect(job.error?.code).toBe("RENDER_TIMEOUT");
		expect(job.report?.readiness.unfinishedWait).toMatch(/waitForSelector/);
	});

	it("a merged job reports each part's console and page errors in parts[i]; fonts and accessibility describe the merged PDF", async () => {
		const job = await renderToEnd({
			parts: [{ html: "<title>one</title><p>one</p><script>console.error('part zero says')</script>" }, { html: "<p>two</p><script>notDefined()</script>" }],
		});
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		expect(job.report?.parts).toHaveLength(2);
		expect(job.report?.parts?.[0]?.console).toEqual([{ level: "error", text: "part zero says" }]);
		expect(job.report?.parts?.[0]?.pageErrors).toEqual([]);
		expect(job.report?.parts?.[1]?.pageErrors).toEqual([expect.stringMatching(/notDefined/)]);
		expect(job.report?.pageErrors).toHaveLength(1);
		expect(job.report?.fonts.length).toBeGreaterThan(0);
		expect(job.report?.accessibility?.title).toBe("one");
	});
});
