// First-page previews: stored beside the document, their size and their content (page 1 is red,
// pages 2 and 3 are not), behind their own signed link.
import { describe, expect, it } from "vitest";
import colourPages from "./fixtures/colour-pages.html?raw";
import { imageSize } from "../src/render/image-size";
import { api, download, getJob, postRender, renderToEnd } from "./support/worker/api";
import { readPdf } from "./support/worker/pdf";
import { poll } from "./support/worker/poll";
import { decodePng, dominantColour } from "./support/worker/png";
import { errorOf } from "./support/worker/errors";

describe("previews", () => {
	it("a PNG preview is the requested width, A4-shaped, and shows page 1 (red), not pages 2-3", async () => {
		const job = await renderToEnd({ html: colourPages, preview: { format: "png", width: 300 } });
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		expect(job.document?.pages).toBe(3);
		const preview = job.document?.preview;
		expect(preview).toMatchObject({ contentType: "image/png", width: 300 });
		// A4's printable area at 96 px/in is 794 x 1123 CSS px.
		expect(preview?.height).toBe(Math.round((1123 * 300) / 794));
		const res = await download(preview?.url ?? "");
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("image/png");
		const bytes = new Uint8Array(await res.arrayBuffer());
		expect(bytes.byteLength).toBe(preview?.sizeBytes);
		const pixels = await decodePng(bytes);
		expect([pixels.width, pixels.height]).toEqual([preview?.width, preview?.height]);
		// #e02020 bucketed to 32 levels; green would be [0,160,64], blue [32,64,224]
		expect(dominantColour(pixels)).toEqual([224, 32, 32]);
		// The document itself is unchanged by the preview: three pages, in order.
		const pdf = await readPdf(await (await download(job.document?.url ?? "")).arrayBuffer());
		expect(pdf.text).toMatch(/Page one[\s\S]*Page two[\s\S]*Page three/);
	});

	it("webp and jpeg previews follow the paper (Letter landscape) and the width", async () => {
		for (const format of ["webp", "jpeg"] as const) {
			const job = await renderToEnd({ html: colourPages, pdf: { format: "Letter", landscape: true }, preview: { format, width: 440, quality: 70 } });
			const preview = job.document?.preview;
			expect(preview?.contentType).toBe(`image/${format}`);
			const bytes = new Uint8Array(await (await download(preview?.url ?? "")).arrayBuffer());
			// Letter landscape: 1056 x 816 CSS px.
			expect(imageSize(bytes)).toEqual({ width: 440, height: Math.round((816 * 440) / 1056) });
		}
	});

	it("the preview link is freshly signed on every read, is its own path, and goes with the document", async () => {
		const job = await renderToEnd({ html: "<p>one page</p>", preview: { width: 100 } });
		const first = job.document?.preview?.url ?? "";
		expect(new URL(first).pathname).toBe(`/v1/files/${job.id}/preview`);
		// Links expire a whole number of seconds from their signing: a read in a later second signs anew.
		const expiry = (url: string) => Number(new URL(url).searchParams.get("expires"));
		const again = await poll(async () => {
			const url = (await getJob(job.id)).document?.preview?.url;
			return url && url !== first ? url : undefined;
		});
		expect(expiry(again)).toBeGreaterThan(expiry(first));
		expect((await download(again)).status).toBe(200);
		// The document link's signature does not open the preview.
		const docUrl = new URL(job.document?.url ?? "");
		expect((await download(`${docUrl.origin}${docUrl.pathname}/preview${docUrl.search}`)).status).toBe(403);
		expect((await api(`/v1/renders/${job.id}`, { method: "DELETE" })).status).toBe(200);
		expect((await download(first)).status).toBe(404);
	});

	it("no preview unless asked; a preview wider than 1200 px, or of a screenshot, is refused", async () => {
		const job = await renderToEnd({ html: "<p>plain</p>" });
		expect(job.document?.preview).toBeUndefined();
		const res = await postRender({ html: "<p>x</p>", preview: { width: 1201 } });
		expect(await errorOf(res)).toMatchObject({ status: 400, code: "INVALID_REQUEST", paths: ["preview.width"] });
		const onImage = await postRender({ html: "<p>x</p>", output: "png", preview: { width: 100 } });
		expect(await errorOf(onImage)).toMatchObject({ status: 400, code: "INVALID_REQUEST", paths: ["preview"] });
	});
});
