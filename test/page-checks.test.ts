// page.failOn.blocked and the observations' "blocked" list under the production address policy: a
// request the egress guard refuses is reported once, as blocked (never again as a failed resource),
// and fails the job with PAGE_CHECK_FAILED only when the request asks for that check.
import { describe, expect, it } from "vitest";
import { renderToEnd } from "./support/worker/api";
import { printDirect } from "./support/worker/direct-print";

const REFUSED = `<p>x</p><img src="http://10.0.0.5/x.png?sig=secret-signature">`;

describe("requests the address policy refuses", () => {
	it("failOn.blocked fails the job with PAGE_CHECK_FAILED naming the address without its query; without it the page prints", async () => {
		const job = await renderToEnd({ html: REFUSED, page: { failOn: { blocked: true } } });
		expect([job.status, job.error?.code, job.error?.message, job.attempts]).toEqual([
			"failed",
			"PAGE_CHECK_FAILED",
			"page.failOn: the address policy refused a request: http://10.0.0.5/x.png",
			1,
		]);
		expect((await renderToEnd({ html: REFUSED, page: { failOn: { resourceError: true } } })).status).toBe("succeeded");
	});

	it("is observed once, as blocked, not as a failed resource", async () => {
		const { result, observed } = await printDirect({ html: REFUSED }, {}, false);
		expect("bytes" in result).toBe(true);
		expect(observed.map((o) => o.resources)).toEqual([
			{ requested: 1, failed: [], blocked: [{ url: "http://10.0.0.5/x.png?sig=secret-signature", reason: "URL_NOT_ALLOWED" }], pending: [] },
		]);
	});
});
