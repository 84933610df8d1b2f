// With private networks allowed, the same vectors as test/egress.test.ts: those that follow the
// address policy now reach the listener (so each vector is real and the listener sees it), and
// those switched off for rendered pages still never do.
import { describe, expect, it } from "vitest";
import { download, renderToEnd } from "../support/api";
import { connections, openListener, serviceWorkerFetches, serviceWorkerPage, sharedWorkerPage } from "../support/egress";
import { NAVIGATES_AWAY, REFUSED_FOR_OPAQUE_ORIGINS, SWITCHED_OFF, VECTORS, vectorPage } from "../support/egress-vectors";
import { readPdf } from "../support/pdf";

describe("egress with private networks allowed", () => {
	for (const name of Object.keys(VECTORS)) {
		const off = SWITCHED_OFF.has(name) || REFUSED_FOR_OPAQUE_ORIGINS.has(name);
		const label = SWITCHED_OFF.has(name) ? "still switched off" : off ? "refused by Chrome for an opaque origin" : "reaches the listener";
		it(`${name}: ${label}, and the page prints`, async () => {
			const port = await openListener();
			const job = await renderToEnd({ html: vectorPage(name, port), page: { delayMs: 1500 } });
			expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
			const text = (await readPdf(await (await download(job.document!.url)).arrayBuffer())).text;
			if (!NAVIGATES_AWAY.has(name)) expect(text).toContain("VISIBLE-TEXT");
			const reached = await connections(port);
			if (off) expect(reached).toEqual([]);
			else expect(reached.length).toBeGreaterThan(0);
		});
	}

	it("a page on a real origin cannot register a service worker (its script is never fetched)", async () => {
		const id = crypto.randomUUID();
		const job = await renderToEnd({ url: serviceWorkerPage(id), page: { delayMs: 1000 } });
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		expect(await serviceWorkerFetches(id)).toBe(0);
	});

	it("a shared worker on a real origin runs and fetches, but has no WebSocket", async () => {
		const port = await openListener();
		const job = await renderToEnd({ url: sharedWorkerPage(port), page: { delayMs: 1500 } });
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		expect((await connections(port)).map((c) => c.first)).toEqual(["GET /shared-fetch HTTP/1.1"]);
	});
});
