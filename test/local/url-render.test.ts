// Rendering URLs served by a real local HTTP server (this project allows loopback addresses).
import { describe, expect, inject, it } from "vitest";
import { renderToEnd } from "../support/worker/api";
import { renderPdf } from "../support/worker/pdf";

const origin = inject("fixtureOrigin");

const textOf = async (body: Record<string, unknown>): Promise<string> => (await renderPdf(body)).facts.text;

describe("rendering a URL", () => {
	it("prints the page and records its source", async () => {
		const { job, facts } = await renderPdf({ url: `${origin}/hello` });
		expect(job.source).toEqual({ type: "url", url: `${origin}/hello` });
		expect(facts.text).toContain("Hello from the fixture server");
	});

	it("sends the requested headers, cookies and user agent", async () => {
		const text = await textOf({
			url: `${origin}/echo-request`,
			page: { headers: { "Accept-Language": "de-CH" }, userAgent: "edge-pdf-test/1.0", cookies: [{ name: "session", value: "abc123" }] },
		});
		expect(text).toContain("lang=de-CH");
		expect(text).toContain("ua=edge-pdf-test/1.0");
		expect(text).toContain("cookie=session=abc123");
	});

	it("cookies set for one job never reach the next one (a fresh browser context per job)", async () => {
		expect(await textOf({ url: `${origin}/echo-request`, page: { cookies: [{ name: "tenant", value: "acme-secret" }] } })).toContain(
			"cookie=tenant=acme-secret",
		);
		const later = await Promise.all([1, 2].map(() => textOf({ url: `${origin}/echo-request` })));
		for (const text of later) expect(text).toContain("cookie=none");
	});

	it("answers a basic-auth challenge", async () => {
		expect(await textOf({ url: `${origin}/basic`, page: { basicAuth: { username: "alice", password: "s3cret" } } })).toContain("auth=alice:s3cret");
	});

	it("an HTTP error page fails the job at once with HTTP_ERROR", async () => {
		const job = await renderToEnd({ url: `${origin}/missing` });
		expect(job.status).toBe("failed");
		expect(job.error?.code).toBe("HTTP_ERROR");
		expect(job.error?.message).toContain("404");
		expect(job.attempts).toBe(1);
	});

	it("failOnHttpError:false prints the error page instead", async () => {
		expect(await textOf({ url: `${origin}/missing`, page: { failOnHttpError: false } })).toContain("Not here");
	});

	it("an unreachable host (connection refused) fails with NAVIGATION_FAILED without retrying", async () => {
		const job = await renderToEnd({ url: `${inject("closedOrigin")}/` });
		expect(job.status).toBe("failed");
		expect(job.error?.code).toBe("NAVIGATION_FAILED");
		expect(job.attempts).toBe(1);
	});
});
