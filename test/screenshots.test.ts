// Screenshots (output png | jpeg | webp) through the real local Browser Rendering, decoded for real.
import { describe, expect, it } from "vitest";
import { imageSize } from "../src/render/image-size";
import { download, postRender, renderToEnd } from "./support/worker/api";
import { decodePng, dominantColour } from "./support/worker/png";
import { errorOf } from "./support/worker/errors";

const PAGE = "<!doctype html><style>html,body{margin:0;background:#1e90ff}</style><div style='height:3000px'>tall</div>";

async function syncShot(body: Record<string, unknown>): Promise<{ res: Response; bytes: Uint8Array }> {
	const res = await postRender({ html: PAGE, async: false, ...body });
	return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe("screenshots", () => {
	it.each([
		["png", "image/png", 640, 480],
		["jpeg", "image/jpeg", 500, 300],
		["webp", "image/webp", 320, 200],
	] as const)("a %s screenshot has the viewport's size and its own content type", async (output, type, width, height) => {
		const { res, bytes } = await syncShot({ output, page: { viewport: { width, height } } });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe(type);
		expect(imageSize(bytes)).toEqual({ width, height });
		expect(res.headers.get("content-disposition")).toContain(output === "jpeg" ? ".jpg" : `.${output}`);
	});

	it("decodes to the page's pixels (PNG, decoded fully)", async () => {
		const { bytes } = await syncShot({ output: "png", page: { viewport: { width: 200, height: 100 } } });
		const pixels = await decodePng(bytes);
		expect([pixels.width, pixels.height]).toEqual([200, 100]);
		// #1e90ff, bucketed to 32 levels
		expect(dominantColour(pixels)).toEqual([0, 128, 224]);
	});

	it("fullPage captures the whole height, a clip exactly its box, deviceScaleFactor multiplies both", async () => {
		const full = await syncShot({ output: "png", page: { viewport: { width: 300, height: 200 } }, screenshot: { fullPage: true } });
		expect(imageSize(full.bytes)).toEqual({ width: 300, height: 3000 });
		const clip = await syncShot({
			output: "webp",
			page: { viewport: { width: 300, height: 200, deviceScaleFactor: 2 } },
			screenshot: { clip: { x: 10, y: 1500, width: 120, height: 80 }, quality: 50 },
		});
		expect(imageSize(clip.bytes)).toEqual({ width: 240, height: 160 });
	});

	it("an async screenshot job says its content type, and its signed link serves the stored image", async () => {
		const job = await renderToEnd({
			html: PAGE,
			output: "jpeg",
			filename: "shot",
			page: { viewport: { width: 400, height: 300 } },
			screenshot: { quality: 60 },
		});
		expect(job.status).toBe("succeeded");
		expect(job.document).toMatchObject({ contentType: "image/jpeg", filename: "shot.jpg", pages: 1 });
		const res = await download(job.document?.url ?? "");
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("image/jpeg");
		const bytes = new Uint8Array(await res.arrayBuffer());
		expect(bytes.byteLength).toBe(job.document?.sizeBytes);
		expect(imageSize(bytes)).toEqual({ width: 400, height: 300 });
	});

	it("refuses screenshot options on a PDF and parts with an image output", async () => {
		const a = await postRender({ html: PAGE, screenshot: { fullPage: true } });
		expect(await errorOf(a)).toMatchObject({ status: 400, code: "INVALID_REQUEST", paths: ["screenshot"] });
		const b = await postRender({ parts: [{ html: "<p>x</p>" }], output: "png" });
		expect(await errorOf(b)).toMatchObject({ status: 400, code: "INVALID_REQUEST", paths: ["output"] });
	});
});
