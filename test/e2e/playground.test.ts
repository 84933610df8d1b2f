// End to end in real Chromium (playwright-core, the system browser) against the local stack
// (wrangler dev: local Durable Objects, Queues, R2, Browser Rendering): the playground at / renders
// a PDF with live status and shows the webhook attempt; /docs renders Swagger UI from our origin only.
// UPDATE_SCREENSHOT=1 also writes docs/playground.png (npm run screenshot).
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, startLocalStack, type LocalStack } from "../../scripts/lib/local-stack.mjs";
import { fetchWebhookSecret, startReceiver, type Receiver } from "../../scripts/lib/receiver.mjs";
import { readPdf } from "../support/common/pdf-info";

const KEY = "dev_local_key";
let stack: LocalStack;
let receiver: Receiver;
let browser: Browser;

beforeAll(async () => {
	stack = await startLocalStack();
	receiver = await startReceiver({ secret: await fetchWebhookSecret(stack.origin, KEY) });
	browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium" });
});

afterAll(async () => {
	await browser?.close();
	await receiver?.close();
	await stack?.stop();
});

/** A page that records CSP violations, failed loads and every origin it requested. */
async function watchedPage(): Promise<{ page: Page; problems: string[]; origins: Set<string> }> {
	const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
	const problems: string[] = [];
	const origins = new Set<string>();
	page.on("console", (msg) => {
		if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
	});
	page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
	page.on("request", (req) => {
		const url = new URL(req.url());
		if (url.protocol.startsWith("http")) origins.add(url.origin);
	});
	return { page, problems, origins };
}

describe("the playground in Chromium", () => {
	it("renders the sample HTML: live status queued → rendering → succeeded, the webhook attempt, a PDF behind the link", async () => {
		const { page, problems, origins } = await watchedPage();
		await page.goto(`${stack.origin}/`);
		await page.fill("#api-key", KEY);
		await page.selectOption("#format", "A5");
		await page.check("#landscape");
		await page.fill("#webhook-url", receiver.url);
		await page.click("#submit");

		await page.locator('#timeline li[data-status="succeeded"]').waitFor({ timeout: 120_000 });
		const statuses = await Promise.all((await page.locator("#timeline li").all()).map((li) => li.getAttribute("data-status")));
		expect(statuses).toEqual(["queued", "rendering", "succeeded"]);
		await page.locator("#webhook-attempts tbody tr td", { hasText: "delivered" }).waitFor({ timeout: 60_000 });
		expect(await page.locator("#webhook-attempts tbody tr").first().textContent()).toContain("204");

		const href = await page.locator("#pdf-link").getAttribute("href");
		expect(href).toMatch(/\/v1\/files\/ren_[0-9a-z]{26}\?expires=\d+&signature=/);
		const pdf = await fetch(href!);
		expect(pdf.status).toBe(200);
		const bytes = new Uint8Array(await pdf.arrayBuffer());
		// The paper chosen in the form: A5 landscape, 210 mm wide and 148 mm high (in points, within 5).
		const { size } = await readPdf(bytes);
		const mm = 72 / 25.4;
		expect(size.width).toBeCloseTo(210 * mm, -1);
		expect(size.height).toBeCloseTo(148 * mm, -1);
		expect(await page.locator("#pdf-facts").textContent()).toMatch(/1 page · \d+\.\d KiB/);
		// The render report of this job: the fonts read from its PDF, its accessibility facts, its phases.
		const report = await page.locator("#report-facts").textContent();
		expect(report).toMatch(/Fonts\S+/);
		expect(report).toMatch(/Accessibility\s*tagged · lang \S+ · title /);
		expect(report).toMatch(/Phases\s*navigate \d+ ms · ready \d+ ms · print \d+ ms · finish \d+ ms/);

		const [event] = receiver.events;
		expect(event?.valid, event?.error ?? "").toBe(true);
		expect(event?.type).toBe("render.succeeded");
		expect(problems).toEqual([]);
		expect([...origins]).toEqual([stack.origin]);

		const shot = join(stack.dir, "playground.png");
		await page.screenshot({ path: shot, fullPage: true });
		expect(readFileSync(shot).subarray(1, 4).toString()).toBe("PNG");
		if (process.env.UPDATE_SCREENSHOT) copyFileSync(shot, join(REPO_ROOT, "docs", "playground.png"));
		await page.close();
	});

	it("shows the API error for a bad key and starts no stream", async () => {
		const { page } = await watchedPage();
		await page.goto(`${stack.origin}/`);
		await page.fill("#api-key", "not-a-key");
		await page.click("#submit");
		await expect.poll(() => page.locator("#error").textContent(), { timeout: 30_000 }).toContain("401 UNAUTHORIZED");
		expect(await page.locator("#timeline li").count()).toBe(0);
		await page.close();
	});

	it("/docs renders Swagger UI over /openapi.json with nothing from another origin", async () => {
		const { page, problems, origins } = await watchedPage();
		await page.goto(`${stack.origin}/docs`);
		await page.locator(".opblock-summary-path", { hasText: "/v1/renders/{id}/events" }).waitFor({ timeout: 60_000 });
		expect(await page.locator(".opblock").count()).toBeGreaterThan(5);
		expect(problems).toEqual([]);
		expect([...origins]).toEqual([stack.origin]);
		await page.close();
	});
});
