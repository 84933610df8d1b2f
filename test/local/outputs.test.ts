// Outputs with a real HTTP server: a URL page's PDF title, and the preview in the webhook event.
import { describe, expect, inject, it } from "vitest";
import type { Job } from "../../src/schemas/job";
import { download, postRender, renderToEnd, waitForWebhook } from "../support/worker/api";
import { readPdfInfo } from "../support/common/pdf-info";
import { receiver } from "../support/worker/receiver";

describe("PDF title of a URL page", () => {
	it("an untitled URL page takes the filename; a titled one keeps its <title>", async () => {
		const untitled = await postRender({ url: `${inject("fixtureOrigin")}/missing`, page: { failOnHttpError: false }, filename: "from-url.pdf", async: false });
		expect(untitled.status).toBe(200);
		expect((await readPdfInfo(await untitled.arrayBuffer())).Title).toBe("from-url");
		const titled = await postRender({ url: `${inject("fixtureOrigin")}/hello`, async: false });
		expect((await readPdfInfo(await titled.arrayBuffer())).Title).toBe("hello");
	});
});

describe("screenshot and preview events", () => {
	it("the render.succeeded event carries document.preview with a working signed link, and a screenshot's contentType", async () => {
		const hook = await receiver("ok");
		const job = await renderToEnd({ url: `${inject("fixtureOrigin")}/hello`, preview: { format: "webp", width: 200 }, webhook: { url: hook.url } });
		await waitForWebhook(job.id, ["delivered"]);
		const [hit] = await hook.received();
		expect(hit?.valid).toBe(true);
		const event = JSON.parse(hit?.body ?? "{}") as { data: Job };
		expect(event.data.document?.preview).toMatchObject({ contentType: "image/webp", width: 200, sizeBytes: job.document?.preview?.sizeBytes });
		const res = await download(event.data.document?.preview?.url ?? "");
		expect([res.status, res.headers.get("content-type")]).toEqual([200, "image/webp"]);

		const shotHook = await receiver("ok");
		const shot = await renderToEnd({ url: `${inject("fixtureOrigin")}/hello`, output: "png", webhook: { url: shotHook.url } });
		await waitForWebhook(shot.id, ["delivered"]);
		const [shotHit] = await shotHook.received();
		expect((JSON.parse(shotHit?.body ?? "{}") as { data: Job }).data.document?.contentType).toBe("image/png");
	});
});
