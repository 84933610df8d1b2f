// Drives one page of the browser from the job's options to PDF bytes, within the job's time budget.
import type { Browser, BrowserContext, Page } from "@cloudflare/puppeteer";
import { DEFAULT_TIMEOUT_MS, type PageOptions, type PdfOptions } from "../schemas/render-request";
import type { UrlPolicy } from "../security/url-policy";
import { jarCookies } from "./credentials";
import { logError } from "../log";
import { guardEgress } from "./egress";
import { contextOptions } from "./egress-sink";
import { exactMediaBox, type PagePoints } from "./media-box";
import type { ObservationSink } from "./observations";
import { exactInches, type Paper, paperOf, POINTS_PER_INCH } from "./paper";
import type { JobFonts } from "./tenant-fonts";
import { bounded, browserStopped, RenderFailure } from "./errors";

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
export type PrinterOptions = Omit<PdfOptions, "metadata" | "format"> & { width: string; height: string };

/**
 * The defaults under the caller's options, with the paper resolved: a named format (A4 unless a
 * custom width or height is given) wins over width/height, as it always did in puppeteer, but
 * is sent as its exact size; lengths in mm or cm are sent as exact inches too.
 */
export function pdfOptions(options: PdfOptions): PrinterOptions {
	// metadata is ours (written into the PDF after printing), not a printer option.
	const { metadata, format, width, height, margin, ...requested } = options;
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

/**
 * Everything that ends a job's page phase early: its deadline (`page.timeoutMs`, whatever the page
 * does), a renderer crash, or a main-frame navigation the address policy refused. Page work is raced
 * against it, so a page stuck in `while(true)` cannot hold the attempt: CDP calls into a busy
 * renderer never answer, but the race does.
 */
export class Tripwire {
	private readonly deadline: number;
	private readonly timer: ReturnType<typeof setTimeout>;
	private fail!: (failure: RenderFailure) => void;
	readonly tripped: Promise<never>;

	constructor(readonly ms: number) {
		this.deadline = Date.now() + ms;
		this.tripped = new Promise<never>((_, reject) => {
			this.fail = reject;
		});
		this.tripped.catch(() => undefined);
		this.timer = setTimeout(() => this.trip(new RenderFailure("RENDER_TIMEOUT", `the page did not finish within timeoutMs (${ms} ms)`, true)), ms);
	}

	/** The first trip wins; later ones are ignored. */
	trip(failure: RenderFailure): void {
		clearTimeout(this.timer);
		this.fail(failure);
	}

	/** `work`, unless the wire trips first; an abandoned `work` settles quietly later. */
	race<T>(work: Promise<T>): Promise<T> {
		work.catch(() => undefined);
		return Promise.race([work, this.tripped]);
	}

	/** Time left for a puppeteer option that takes a timeout; never 0, which would mean "no timeout". */
	remaining(): number {
		return Math.max(1, this.deadline - Date.now());
	}

	disarm(): void {
		clearTimeout(this.timer);
	}
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
	]);
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

async function settle(page: Page, input: PrintInput, wire: Tripwire): Promise<void> {
	if (input.page.waitForSelector) await page.waitForSelector(input.page.waitForSelector, { timeout: wire.remaining() });
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

/** Opens the job's page and loads and settles it: every step inside the tripwire. */
async function openAndLoad(context: BrowserContext, input: PrintInput, policy: UrlPolicy, wire: Tripwire): Promise<Page> {
	const page = await context.newPage();
	containPage(page, wire);
	const refusedOwnLoad = (url: string) => wire.trip(new RenderFailure("URL_NOT_ALLOWED", `the page navigated to a disallowed address: ${url}`, false));
	// Every target the page creates and every request it sends goes through the address policy (egress.ts).
	await Promise.all([guardEgress(page, policy, input, refusedOwnLoad), preparePage(page, input)]);
	await load(page, input, wire);
	await settle(page, input, wire);
	return page;
}

/**
 * Runs `capture` on the job's loaded page and hands its result to `consume` while the page is still
 * open. The page phase (open, load, settle, capture) ends at `page.timeoutMs` whatever the page does;
 * then the job's own context is force-closed, never the browser other jobs share.
 */
export async function withLoadedPage<S, T>(
	browser: Browser,
	input: PrintInput,
	policy: UrlPolicy,
	capture: (page: Page, wire: Tripwire) => Promise<S>,
	consume: (captured: S) => Promise<T>,
): Promise<T> {
	// A fresh browser context per job: the session is shared across jobs and tenants, and cookies,
	// storage and cache must not outlive the job that set them. Its proxy is the egress sink.
	const context = await bounded(browser.createBrowserContext(contextOptions(policy)), CONTEXT_TIMEOUT_MS, browserStopped("createBrowserContext"));
	const wire = new Tripwire(input.page.timeoutMs ?? DEFAULT_TIMEOUT_MS);
	let closeWithin = CONTEXT_TIMEOUT_MS;
	try {
		const captured = await wire.race(openAndLoad(context, input, policy, wire).then((page) => capture(page, wire))).catch((err: unknown) => {
			closeWithin = FORCE_CLOSE_TIMEOUT_MS;
			throw err;
		});
		wire.disarm();
		return await consume(captured);
	} finally {
		wire.disarm();
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
