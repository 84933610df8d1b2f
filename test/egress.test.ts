// Production policy, every way out a page has: a raw TCP listener on 127.0.0.1 counts connections
// of any protocol, and none may arrive, while the page still prints.
import { describe, it } from "vitest";
import { download, renderToEnd } from "./support/worker/api";
import { connections, openListener } from "./support/worker/egress";
import { VECTORS, vectorPage } from "./support/worker/egress-vectors";
import { readPdf } from "./support/worker/pdf";

// Each vector renders its own job against its own listener: they run side by side (vitest's
// maxConcurrency, 5), as the queue's batches would take them.
describe("egress under the production address policy", () => {
	for (const name of Object.keys(VECTORS)) {
		it.concurrent(`${name}: no connection reaches 127.0.0.1, and the page prints`, async ({ expect }) => {
			const port = await openListener();
			// delayMs gives asynchronous ways out (ICE gathering, workers, popups) time to try.
			const job = await renderToEnd({ html: vectorPage(name, port), page: { delayMs: 1500 } });
			expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
			expect((await readPdf(await (await download(job.document!.url)).arrayBuffer())).text).toContain("VISIBLE-TEXT");
			expect(await connections(port)).toEqual([]);
		});
	}
});
