// The explicit waits of page options: waitForSelector, waitForFunction and waitForWindowStatus, in
// that order, after readiness. Unlike readiness they are strict: a wait still unmet at the page's
// deadline fails the job with RENDER_TIMEOUT naming it (the tripwire's message, print.ts).
// waitForFunction is polled with DevTools evaluation (Runtime.evaluate), which a page's
// Content-Security-Policy does not govern: puppeteer's own waitForFunction builds its predicate
// with `new Function` in the page, which a CSP without 'unsafe-eval' refuses.
import type { Page } from "@cloudflare/puppeteer";
import type { PageOptions } from "../schemas/render-request";
import type { PageObserver } from "./page-observer";
import { RenderFailure } from "./errors";
import type { Tripwire } from "./tripwire";

/** Between two evaluations of a polled expression: one round trip to the page each. */
const POLL_INTERVAL_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `expression` as an evaluation that answers whether it is truthy (a promise is awaited first). */
function truthiness(expression: string): string {
	// On lines of their own, so a trailing // comment in the expression cannot swallow the closing parenthesis.
	return `Promise.resolve((\n${expression}\n)).then(Boolean)`;
}

/** Polls `expression` until it is truthy; ends quietly once the page phase is over (the wire tripped). */
async function pollTruthy(page: Page, expression: string, wire: Tripwire, onError: (message: string) => void): Promise<void> {
	const check = truthiness(expression);
	while (!wire.over) {
		const value = await page.evaluate(check).catch((err: unknown) => {
			onError(err instanceof Error ? err.message : String(err));
			return false;
		});
		if (value === true) return;
		await sleep(POLL_INTERVAL_MS);
	}
}

/** Runs `wait` as the named wait: the tripwire names it if the deadline comes first, the report lists it as unfinished. */
async function strict(observer: PageObserver, wire: Tripwire, name: string, failure: () => string, wait: () => Promise<void>): Promise<void> {
	observer.unfinishedWait = name;
	wire.waitingFor(failure);
	await wait();
	wire.waitingFor(null);
	observer.unfinishedWait = null;
}

/**
 * waitForFunction and waitForWindowStatus need page script. The API refuses them beside
 * javaScriptEnabled: false in one page object; a part's page laid over the request's can still
 * bring them together, which fails here, before the page opens.
 */
export function checkScriptWaits(options: PageOptions): void {
	if (options.javaScriptEnabled !== false) return;
	const wait = options.waitForFunction !== undefined ? "waitForFunction" : options.waitForWindowStatus !== undefined ? "waitForWindowStatus" : null;
	if (wait)
		throw new RenderFailure("INVALID_REQUEST", `page.${wait} runs in the page and needs JavaScript, which page.javaScriptEnabled: false turns off`, false);
}

export async function explicitWaits(page: Page, options: PageOptions, observer: PageObserver, wire: Tripwire): Promise<void> {
	const selector = options.waitForSelector;
	if (selector !== undefined) {
		await strict(
			observer,
			wire,
			"waitForSelector",
			() => `waitForSelector did not find ${JSON.stringify(selector)}`,
			async () => {
				// The wire ends the wait at the deadline, with the message above; puppeteer's own timeout comes later.
				await page.waitForSelector(selector, { timeout: wire.remaining() + 1000 });
			},
		);
	}
	const expression = options.waitForFunction;
	if (expression !== undefined) {
		let lastError = "";
		const failure = () => `waitForFunction did not become truthy${lastError ? ` (last error: ${lastError.slice(0, 200)})` : ""}`;
		await strict(observer, wire, "waitForFunction", failure, () =>
			pollTruthy(page, expression, wire, (message) => {
				lastError = message;
			}),
		);
	}
	const status = options.waitForWindowStatus;
	if (status !== undefined) {
		const failure = () => `waitForWindowStatus did not see window.status become ${JSON.stringify(status)}`;
		await strict(observer, wire, "waitForWindowStatus", failure, () => pollTruthy(page, `window.status === ${JSON.stringify(status)}`, wire, () => undefined));
	}
}
