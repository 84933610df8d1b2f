// The floor for the benchmark: the same PDFs printed by one warm local Chromium driven directly
// with puppeteer-core, `concurrency` pages reused, zero service overhead. Same Chromium binary as
// the local stack (scripts/setup-chrome.mjs) with puppeteer's default flags, which match miniflare's
// plus the feature switches the wrapper adds; same PDF options.
import { existsSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

export function chromePath() {
	const path = process.env.CHROME_PATH || CANDIDATES.find((p) => existsSync(p));
	if (!path) throw new Error("no Chromium found: install `chromium` or set CHROME_PATH");
	return path;
}

/** Starts the warm browser and its pages; `print(html, pdf)` renders on the next free page. */
export async function startFloor(concurrency) {
	const profile = mkdtempSync(join(tmpdir(), "edge-pdf-floor-"));
	const browser = await puppeteer.launch({
		executablePath: chromePath(),
		headless: true,
		userDataDir: profile,
		args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"],
	});
	const idle = await Promise.all(Array.from({ length: concurrency }, () => browser.newPage()));
	const waiting = [];
	const take = () => (idle.length ? Promise.resolve(idle.pop()) : new Promise((resolve) => waiting.push(resolve)));
	const give = (page) => (waiting.length ? waiting.shift()(page) : idle.push(page));
	return {
		async print(html, pdf) {
			const page = await take();
			try {
				await page.setContent(html, { waitUntil: "load" });
				return await page.pdf(pdf);
			} finally {
				give(page);
			}
		},
		async close() {
			await browser.close();
			rmSync(profile, { recursive: true, force: true });
		},
	};
}
