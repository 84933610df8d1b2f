// Drives one page of the browser from the job's options to PDF bytes, within the job's time budget.
import type { Browser, BrowserContext, Page } from "@cloudflare/puppeteer";
import { DEFAULT_TIMEOUT_MS, type PageOptions, type PdfOptions } from "../schemas/render-request";
import type { UrlPolicy } from "../security/url-policy";
import { jarCookies } from "./credentials";
import { logError } from "../log";
import { guardEgress, pageSession } from "./egress";
import { contextOptions } from "./egress-sink";
import { exactMediaBox, type PagePoints } from "./media-box";
import type { ObservationSink } from "./observations";
import { exactInches, type Paper, paperOf, POINTS_PER_INCH } from "./paper";
import type { JobFonts } from "./tenant-fonts";
import { bounded, browserStopped, RenderFailure } from "./errors";
import { PageObserver } from "./page-observer";
import { getReady, LAZY_PROBE, readinessDeadline } from "./readiness";
import { Tripwire } from "./tripwire";
import { checkScriptWaits, explicitWaits } from "./waits";

export { Tripwire };

/** Opening or closing a job's context is quick; past this the connection is dead. */
const CONTEXT_TIMEOUT_MS = 10_000;
/** Closing the context of a page that ran out of time: the attempt ends within this of the deadline. */
const FORCE_CLOSE_TIMEOUT_MS = 2_000;

export interface PrintInput {
	url: string | null;
	html: string | null;
	pdf: PdfOptions;
	page: PageOptions;
	/** Gets the page's observations (resources, console, readiness) when its page phase ends. */
	observe?: ObservationSink;
	/** The tenant's fonts (null: it has none), given to the page and its header/footer templates. */
	fonts?: JobFonts | null;
}

export const PDF_DEFAULTS: PdfOptions = { format: "A4", printBackground: true, tagged: true };

/** What the printer is given: the paper and margins as exact inches (paper.ts), never a named format. */
export type PrinterOptions = Omit<PdfOptions, "metadata" | "stamps" | "format"> & { width: string; height: string };

/**
 * The defaults under the caller's options, with the paper resolved: a named format (A4 unless a
 * custom width or height is given) wins over width/height, as it always did in puppeteer, but
 * is sent as its exact size; lengths in mm or cm are sent as exact inches too.
 */
export function pdfOptions(options: PdfOptions): PrinterOptions {
	// metadata and stamps are ours (written into the PDF after printing), not printer options.
	const { metadata, stamps, format, width, height, margin, ...requested } = options;
	const { format: _, ...defaults } = PDF_DEFAULTS;
	const paper = requestedPaper(options);
	const exact = { width: `${paper.width}in`, height: `${paper.height}in` };
	return { ...defaults, ...requested, ...exact, ...(margin ? { margin: exactMargin(margin) } : {}) };
}

/** The paper of `options` in inches, before landscape: the format's, else width/height, else A4. */
function requestedPaper({ format, width, height }: PdfOptions): Paper {
	const custom = width !== undefined || height !== undefined;
	return paperOf(format ?? (custom ? undefined : PDF_DEFAULTS.format), width, height);
}

/** The page `options` ask for, in points, as Chromium prints it (landscape turns the paper). */
export function requestedPage(options: PdfOptions): PagePoints {
	const paper = requestedPaper(options);
	const [width, height] = options.landscape ? [paper.height, paper.width] : [paper.width, paper.height];
	return { width: width * POINTS_PER_INCH, height: height * POINTS_PER_INCH };
}

function exactMargin(margin: NonNullable<PdfOptions["margin"]>): NonNullable<PdfOptions["margin"]> {
	return Object.fromEntries(Object.entries(margin).flatMap(([side, length]) => (length === undefined ? [] : [[side, exactInches(length)]])));
}

/** The page's options, set at once: independent commands, so one round trip instead of several. */
async function preparePage(page: Page, input: PrintInput): Promise<void> {
	const o = input.page;
	// headers, basicAuth and domain-less cookies go to the url's origin only: egress.ts adds them per request.
	const jar = jarCookies(o);
	await Promise.all([
		page.setViewport({ width: o.viewport?.width ?? 1280, height: o.viewport?.height ?? 800, deviceScaleFactor: o.viewport?.deviceScaleFactor ?? 1 }),
		page.emulateMediaType(o.emulateMediaType ?? "print"),
		o.javaScriptEnabled === false ? page.setJavaScriptEnabled(false) : null,
		o.userAgent ? page.setUserAgent(o.userAgent) : null,
		jar.length ? page.setCookie(...jar) : null,
		...probeLazyContent(page, o),
	]);
}

/** The lazy-content probe (readiness.ts) in every new document and the current one (setContent writes into it). */
function probeLazyContent(page: Page, o: PageOptions): Array<Promise<unknown>> {
	if (o.ready === false || o.ready?.lazyLoad === false || o.javaScriptEnabled === false) return [];
	const session = pageSession(page);
	return [
		session.send("Page.addScriptToEvaluateOnNewDocument", { source: LAZY_PROBE, runImmediately: true }),
		session.send("Runtime.evaluate", { expression: LAZY_PROBE }),
	];
}

async function load(page: Page, input: PrintInput, wire: Tripwire): Promise<void> {
	const waitUntil = input.page.waitUntil ?? "load";
	if (input.html !== null) {
		await page.setContent(input.html, { waitUntil, timeout: wire.remaining() });
		return;
	}
	const response = await page.goto(input.url ?? "about:blank", { waitUntil, timeout: wire.remaining() });
	if (!response) throw new RenderFailure("NAVIGATION_FAILED", "the page produced no document response", false);
	if ((input.page.failOnHttpError ?? true) && response.status() >= 400) {
		throw new RenderFailure("HTTP_ERROR", `the page answered HTTP ${response.status()}`, false);
	}
}

/** Readiness (best effort), the explicit waits (strict), then delayMs. */
async function settle(page: Page, input: PrintInput, wire: Tripwire, observer: PageObserver): Promise<void> {
	await getReady(page, input.page, observer, readinessDeadline(wire.startedAt, wire.ms), () => wire.over);
	await explicitWaits(page, input.page, observer, wire);
	const delay = input.page.delayMs ?? 0;
	// A delay longer than what is left ends at the deadline, like any other wait.
	if (delay > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(delay, wire.remaining())));
}

/**
 * Keeps the page from blocking itself or its job. print() and the dialogs are no-ops in every frame
 * (lockdown.ts, installed by guardEgress); a dialog that slips past (a frame created before the
 * script ran) is dismissed here, and a crashed renderer ends the job at once.
 */
function containPage(page: Page, wire: Tripwire): void {
	page.on("dialog", (dialog) => void dialog.dismiss().catch(() => undefined));
	// puppeteer reports Inspector.targetCrashed (a renderer crash, out of memory included) as "error".
	page.on("error", () => wire.trip(new RenderFailure("PAGE_CRASHED", "the page crashed the renderer (out of memory or a renderer fault)", true)));
}

/** Opens the job's page and loads and settles it: every step inside the tripwire, watched by `observer`. */
async function openAndLoad(context: BrowserContext, input: PrintInput, policy: UrlPolicy, wire: Tripwire, observer: PageObserver): Promise<Page> {
	observer.enter("navigate");
	const page = await context.newPage();
	containPage(page, wire);
	observer.attach(page, pageSession(page));
	const refusedOwnLoad = (url: string) => wire.trip(new RenderFailure("URL_NOT_ALLOWED", `the page navigated to a disallowed address: ${url}`, false));
	const refused = (url: string, aborted: boolean) => observer.refusedRequest(url, aborted);
	// Every target the page creates and every request it sends goes through the address policy (egress.ts).
	await Promise.all([guardEgress(page, policy, input, refusedOwnLoad, refused), preparePage(page, input)]);
	await load(page, input, wire);
	observer.enter("ready");
	await settle(page, input, wire, observer);
	return page;
}

/** Loads and settles the page, checks page.failOn, and runs `capture`: the page phase. */
async function pagePhase<S>(
	context: BrowserContext,
	input: PrintInput,
	policy: UrlPolicy,
	wire: Tripwire,
	observer: PageObserver,
	capture: (page: Page, wire: Tripwire) => Promise<S>,
): Promise<S> {
	const page = await openAndLoad(context, input, policy, wire, observer);
	observer.checkFailOn(input.page.failOn);
	observer.enter("print");
	const captured = await capture(page, wire);
	observer.endPhase();
	return captured;
}

/** Hands the page's observations to the caller once; a sink that throws never fails the render. */
function reporter(input: PrintInput, observer: PageObserver): () => void {
	let reported = false;
	return () => {
		if (reported || !input.observe) return;
		reported = true;
		observer.endPhase();
		try {
			input.observe(observer.snapshot());
		} catch {
			// The report is a view of the render, never a reason for it to fail.
		}
	};
}

/**
 * Runs `capture` on the job's loaded page and hands its result to `consume` while the page is still
 * open. The page phase (open, load, settle, capture) ends at `page.timeoutMs` whatever the page does;
 * then the job's own context is force-closed, never the browser other jobs share. The page's
 * observations go to `input.observe` when the page phase ends, whether it succeeded or failed.
 */
export async function withLoadedPage<S, T>(
	browser: Browser,
	input: PrintInput,
	policy: UrlPolicy,
	capture: (page: Page, wire: Tripwire) => Promise<S>,
	consume: (captured: S) => Promise<T>,
): Promise<T> {
	checkScriptWaits(input.page);
	// A fresh browser context per job: the session is shared across jobs and tenants, and cookies,
	// storage and cache must not outlive the job that set them. Its proxy is the egress sink.
	const context = await bounded(browser.createBrowserContext(contextOptions(policy)), CONTEXT_TIMEOUT_MS, browserStopped("createBrowserContext"));
	const wire = new Tripwire(input.page.timeoutMs ?? DEFAULT_TIMEOUT_MS);
	const observer = new PageObserver();
	const report = reporter(input, observer);
	let closeWithin = CONTEXT_TIMEOUT_MS;
	try {
		const captured = await wire.race(pagePhase(context, input, policy, wire, observer, capture)).catch((err: unknown) => {
			closeWithin = FORCE_CLOSE_TIMEOUT_MS;
			throw err;
		});
		wire.disarm();
		report();
		return await consume(captured);
	} finally {
		wire.disarm();
		report();
		await bounded(context.close(), closeWithin, browserStopped("close context")).catch(() => undefined);
	}
}

/** Steps run on the settled page just before it prints (inside its deadline): metadata, a preview. */
export type BeforePrint = (page: Page, wire: Tripwire) => Promise<void>;

/**
 * Chromium's PDF with its pages at the exact requested size (media-box.ts); a page box the exact
 * size does not fit in stays as printed, and the log hears of it once.
 */
function exactPages(pdf: ReadableStream<Uint8Array>, options: PdfOptions): ReadableStream<Uint8Array> {
	const page = requestedPage(options);
	const unfit = (printed: string) => logError({ msg: "page box kept as printed: the exact size does not fit it", printed, requested: page });
	return exactMediaBox(pdf, page, unfit);
}

/**
 * Prints the page and hands the PDF stream to `consume` while the page is still open: every page
 * of the requested size at that size exactly, before anything else (metadata, a merge) reads it.
 */
export async function printPdf<T>(
	browser: Browser,
	input: PrintInput,
	policy: UrlPolicy,
	consume: (pdf: ReadableStream<Uint8Array>) => Promise<T>,
	beforePrint?: BeforePrint,
): Promise<T> {
	const print = async (page: Page, wire: Tripwire) => {
		await beforePrint?.(page, wire);
		const pdf = input.fonts ? await input.fonts.withTemplateFonts(page, input.pdf) : input.pdf;
		// A stream, not a buffer: the PDF goes to storage chunk by chunk as Chrome hands it over.
		return exactPages(await page.createPDFStream({ ...pdfOptions(pdf), timeout: wire.remaining() }), pdf);
	};
	return withLoadedPage(browser, input, policy, print, consume);
}
