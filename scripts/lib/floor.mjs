// The floor for the benchmark: the same PDFs printed by one warm local Chromium driven directly
// with puppeteer-core, `concurrency` pages reused, zero service overhead (or, as a second reference,
// a fresh context per job). Same Chromium binary as the local stack (scripts/setup-chrome.mjs) with
// puppeteer's default flags, which match miniflare's plus the feature switches the wrapper adds;
// same PDF options.
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

/**
 * Starts the warm browser; `print(html, pdf)` renders on the next of `concurrency` slots. By default
 * each slot is one page reused for every job (the floor). With `contextPerJob`, each job gets a fresh
 * browser context and page, closed afterwards: what Chromium itself costs with the isolation the
 * service keeps between jobs.
 */
export async function startFloor(concurrency, { contextPerJob = false } = {}) {
	const profile = mkdtempSync(join(tmpdir(), "edge-pdf-floor-"));
	const browser = await puppeteer.launch({
		executablePath: chromePath(),
		headless: true,
		userDataDir: profile,
		args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"],
	});
	const idle = contextPerJob
		? Array.from({ length: concurrency }, () => null)
		: await Promise.all(Array.from({ length: concurrency }, () => browser.newPage()));
	const waiting = [];
	const take = () => (idle.length ? Promise.resolve(idle.pop()) : new Promise((resolve) => waiting.push(resolve)));
	const give = (slot) => (waiting.length ? waiting.shift()(slot) : idle.push(slot));
	return {
		async print(html, pdf) {
			const slot = await take();
			let context = null;
			try {
				context = contextPerJob ? await browser.createBrowserContext() : null;
				const page = context ? await context.newPage() : slot;
				await page.setContent(html, { waitUntil: "load" });
				return await page.pdf(pdf);
			} finally {
				await context?.close();
				give(slot);
			}
		},
		async close() {
			await browser.close();
			rmSync(profile, { recursive: true, force: true });
		},
	};
}
