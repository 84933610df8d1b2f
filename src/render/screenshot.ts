// Screenshots (output png | jpeg | webp) of the job's loaded page, through Chrome's captureScreenshot.
import type { Page } from "@cloudflare/puppeteer";
import type { ImageFormat, ScreenshotOptions } from "../schemas/outputs";

/** puppeteer's screenshot options for a request; quality only where the format has one. */
export function screenshotOptions(format: ImageFormat, options: ScreenshotOptions = {}) {
	return {
		type: format,
		fullPage: options.clip ? false : (options.fullPage ?? false),
		clip: options.clip,
		omitBackground: options.omitBackground ?? false,
		quality: format === "png" ? undefined : (options.quality ?? 80),
		// A clip below the fold is captured as laid out, not cut at the viewport.
		captureBeyondViewport: options.clip !== undefined || options.fullPage === true,
	};
}

export async function takeScreenshot(page: Page, format: ImageFormat, options?: ScreenshotOptions): Promise<Uint8Array> {
	return new Uint8Array(await page.screenshot(screenshotOptions(format, options)));
}
