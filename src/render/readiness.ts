// Readiness: after navigation and before the explicit waits, the page gets what Chromium does not
// wait for by itself when printing: lazy content (loading=lazy images, IntersectionObserver
// loaders, which only start when scrolled into view), images still loading or decoding, web fonts,
// and requests still in flight. Each step is best effort: all of them together take at most
// READY_SHARE of page.timeoutMs, and a step cut short is reported "timed out" while the page
// prints as it is. The page-side steps are one script (one round trip); network idle is counted on
// our side from the page's request events (page-observer.ts).
import type { Page } from "@cloudflare/puppeteer";
import { READY_DEFAULTS, type PageOptions } from "../schemas/render-request";
import type { ReadinessOutcome, StepOutcome } from "./observations";
import type { PageObserver } from "./page-observer";

/** Readiness never takes more than this share of page.timeoutMs: the rest is for the waits and the print. */
export const READY_SHARE = 0.8;
/** The scroll stops after this many screens (an endless feed would scroll forever). */
const MAX_SCREENS = 100;
/** How long our side waits past the page script's own deadline before calling its steps timed out. */
const PAGE_SCRIPT_GRACE_MS = 250;

/**
 * Runs in every frame before the page's own scripts: counts IntersectionObserver targets, so a
 * page that uses none (and has no lazy images) is not scrolled at all: scrolling costs a frame per screen.
 */
export const LAZY_PROBE = `(() => {
	try {
		if (Object.getOwnPropertyDescriptor(globalThis, "__edgePdfObserved")) return;
		const proto = IntersectionObserver.prototype;
		const observe = proto.observe;
		let observed = 0;
		Object.defineProperty(globalThis, "__edgePdfObserved", { get: () => observed, configurable: false });
		proto.observe = function (target) { observed++; return observe.call(this, target); };
	} catch {}
})();`;

/**
 * The page-side steps, as one script: its argument names the steps to run and the time they have.
 * Each step reports done or timed out; the scroll runs only when something lazy could be waiting.
 */
const PAGE_STEPS = `async ({ lazyLoad, images, fonts, budgetMs, maxScreens }) => {
	const deadline = Date.now() + budgetMs;
	const within = (work) => new Promise((resolve) => {
		const timer = setTimeout(() => resolve("timed out"), Math.max(0, deadline - Date.now()));
		Promise.resolve(work).then(() => { clearTimeout(timer); resolve("done"); }, () => { clearTimeout(timer); resolve("done"); });
	});
	// A rendering update (where IntersectionObserver notices what scrolled into view), then its callbacks.
	const frame = () => new Promise((resolve) => {
		const timer = setTimeout(resolve, 100);
		requestAnimationFrame(() => setTimeout(() => { clearTimeout(timer); resolve(); }, 0));
	});
	const scroll = async () => {
		const root = document.scrollingElement || document.documentElement;
		const lazy = document.querySelector("img[loading=lazy i], iframe[loading=lazy i]") !== null || (globalThis.__edgePdfObserved ?? 0) > 0;
		if (!lazy || root.scrollHeight <= innerHeight) return "done";
		let outcome = "timed out";
		for (let screen = 1; screen <= maxScreens && Date.now() < deadline; screen++) {
			scrollTo(0, screen * innerHeight);
			await frame();
			if (scrollY + innerHeight >= root.scrollHeight - 1) { outcome = "done"; break; }
		}
		await frame();
		scrollTo(0, 0);
		await frame();
		return outcome;
	};
	const decoded = () => {
		const all = [...document.images];
		// Chromium starts lazy images when it prints anyway: start them now, so they are there in time.
		for (const img of all) if (img.loading === "lazy") img.loading = "eager";
		return Promise.all(all.filter((img) => !img.complete).map((img) => img.decode().catch(() => undefined)));
	};
	const out = {};
	if (lazyLoad) out.lazyLoad = await scroll();
	if (images) out.images = await within(decoded());
	if (fonts) out.fonts = await within(document.fonts.ready);
	return out;
}`;

type PageStep = "lazyLoad" | "images" | "fonts";

interface Plan {
	steps: Record<PageStep, boolean>;
	networkIdleMs: number | null;
}

/** Which steps run: none with `ready: false`; without JavaScript, none that needs page script. */
function plan(options: PageOptions): Plan | null {
	if (options.ready === false) return null;
	const ready = { ...READY_DEFAULTS, ...options.ready };
	const script = options.javaScriptEnabled !== false;
	return {
		steps: { lazyLoad: script && ready.lazyLoad, images: script && ready.images, fonts: script && ready.fonts },
		networkIdleMs: ready.networkIdleMs > 0 ? ready.networkIdleMs : null,
	};
}

/** When readiness must be over (epoch ms): READY_SHARE of the page's budget after its phase began. */
export function readinessDeadline(phaseStart: number, budgetMs: number): number {
	return phaseStart + READY_SHARE * budgetMs;
}

/** Runs the page-side steps asked for; any the page does not answer in time are timed out. */
async function pageSteps(page: Page, steps: Record<PageStep, boolean>, deadline: number): Promise<Partial<Record<PageStep, StepOutcome>>> {
	const asked = (Object.keys(steps) as PageStep[]).filter((step) => steps[step]);
	if (asked.length === 0) return {};
	const timedOut = Object.fromEntries(asked.map((step) => [step, "timed out" as const]));
	const budgetMs = deadline - Date.now();
	if (budgetMs <= 0) return timedOut;
	const args = JSON.stringify({ ...steps, budgetMs, maxScreens: MAX_SCREENS });
	let timer: ReturnType<typeof setTimeout> | undefined;
	// A page busy in a loop never answers: past the deadline its steps are timed out.
	const late = new Promise<Partial<Record<PageStep, StepOutcome>>>((resolve) => {
		timer = setTimeout(() => resolve(timedOut), budgetMs + PAGE_SCRIPT_GRACE_MS);
	});
	const answered = page.evaluate(`(${PAGE_STEPS})(${args})`).then(
		(value) => ({ ...timedOut, ...readOutcomes(value) }),
		() => timedOut,
	);
	return Promise.race([answered, late]).finally(() => clearTimeout(timer));
}

/** The page script's answer, trusted only for the shape it must have. */
function readOutcomes(value: unknown): Partial<Record<PageStep, StepOutcome>> {
	if (typeof value !== "object" || value === null) return {};
	const out: Partial<Record<PageStep, StepOutcome>> = {};
	for (const [step, outcome] of Object.entries(value)) {
		if ((step === "lazyLoad" || step === "images" || step === "fonts") && (outcome === "done" || outcome === "timed out")) out[step] = outcome;
	}
	return out;
}

/**
 * Gets the page ready to print, within `deadline` (epoch ms), recording each step's outcome in the
 * observer as it goes (a failure later still reports what readiness did). `stopped` says the page
 * phase is over (the deadline passed or the page crashed): no more waiting then.
 */
export async function getReady(page: Page, options: PageOptions, observer: PageObserver, deadline: number, stopped: () => boolean): Promise<void> {
	const steps = plan(options);
	if (!steps) return;
	const started = Date.now();
	const outcome: ReadinessOutcome = { ...observer.readiness, ...(await pageSteps(page, steps.steps, deadline)) };
	observer.readiness = outcome;
	if (steps.networkIdleMs === null) return;
	observer.readiness = { ...outcome, networkIdle: "timed out" };
	const idle = await observer.networkIdle(steps.networkIdleMs, deadline, stopped);
	observer.readiness = { ...outcome, networkIdle: idle ? "done" : "timed out" };
	// What arrived while the network settled (an image swapped in after load, a font applied after
	// a data fetch) gets its images and fonts checked once more: quick when they are all there.
	const again = { ...steps.steps, lazyLoad: false };
	if (idle && observer.activeSince(started) && (again.images || again.fonts)) {
		observer.readiness = { ...observer.readiness, ...(await pageSteps(page, again, deadline)) };
	}
}
