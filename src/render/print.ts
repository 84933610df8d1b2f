// Drives one page of the browser from the job's options to PDF bytes, within the job's time budget.
import type { Browser, Page } from "@cloudflare/puppeteer";
import { DEFAULT_TIMEOUT_MS, type PageOptions, type PdfOptions } from "../schemas/render-request";
import type { UrlPolicy } from "../security/url-policy";
import { jarCookies } from "./credentials";
import { guardEgress } from "./egress";
import { bounded, browserStopped, RenderFailure } from "./errors";

/** Opening or closing a job's context is quick; past this the connection is dead. */
const CONTEXT_TIMEOUT_MS = 10_000;

export interface PrintInput {
	url: string | null;
	html: string | null;
	pdf: PdfOptions;
	page: PageOptions;
}


export const PDF_DEFAULTS: PdfOptions = { format: "A4", printBackground: true, tagged: true };

/** The defaults under the caller's options; puppeteer lets `format` win over width/height, so a custom size drops the default format. */
export function pdfOptions(requested: PdfOptions): PdfOptions {
	const custom = requested.width !== undefined || requested.height !== undefined;
	const { format, ...rest } = PDF_DEFAULTS;
	return { ...rest, ...(custom ? {} : { format }), ...requested };
}

class Budget {
	private readonly deadline: number;
	constructor(ms: number) {
		this.deadline = Date.now() + ms;
	}
	remaining(): number {
		const left = this.deadline - Date.now();
		if (left <= 0) throw new RenderFailure("RENDER_TIMEOUT", "the render exceeded timeoutMs", true);
		return left;
	}
}

async function preparePage(page: Page, input: PrintInput): Promise<void> {
	const o = input.page;
	await page.setViewport({ width: o.viewport?.width ?? 1280, height: o.viewport?.height ?? 800, deviceScaleFactor: o.viewport?.deviceScaleFactor ?? 1 });
	await page.emulateMediaType(o.emulateMediaType ?? "print");
	if (o.javaScriptEnabled === false) await page.setJavaScriptEnabled(false);
	if (o.userAgent) await page.setUserAgent(o.userAgent);
	// headers, basicAuth and domain-less cookies go to the url's origin only: egress.ts adds them per request.
	const jar = jarCookies(o);
	if (jar.length) await page.setCookie(...jar);
}

async function load(page: Page, input: PrintInput, budget: Budget, blockedMain: () => string | null): Promise<void> {
	const waitUntil = input.page.waitUntil ?? "load";
	if (input.html !== null) {
		await page.setContent(input.html, { waitUntil, timeout: budget.remaining() });
		return;
	}
	const response = await page.goto(input.url ?? "about:blank", { waitUntil, timeout: budget.remaining() }).catch((err: unknown) => {
		const blocked = blockedMain();
		if (blocked) throw new RenderFailure("URL_NOT_ALLOWED", `the page navigated to a disallowed address: ${blocked}`, false);
		throw err;
	});
	if (!response) throw new RenderFailure("NAVIGATION_FAILED", "the page produced no document response", false);
	if ((input.page.failOnHttpError ?? true) && response.status() >= 400) {
		throw new RenderFailure("HTTP_ERROR", `the page answered HTTP ${response.status()}`, false);
	}
}

async function settle(page: Page, input: PrintInput, budget: Budget): Promise<void> {
	if (input.page.waitForSelector) await page.waitForSelector(input.page.waitForSelector, { timeout: budget.remaining() });
	const delay = input.page.delayMs ?? 0;
	if (delay > 0) {
		if (delay >= budget.remaining()) throw new RenderFailure("RENDER_TIMEOUT", "delayMs does not fit in timeoutMs", true);
		await new Promise((resolve) => setTimeout(resolve, delay));
	}
}

/** Prints the page and hands the PDF stream to `consume` while the page is still open. */
export async function printPdf<T>(browser: Browser, input: PrintInput, policy: UrlPolicy, consume: (pdf: ReadableStream<Uint8Array>) => Promise<T>): Promise<T> {
	const budget = new Budget(input.page.timeoutMs ?? DEFAULT_TIMEOUT_MS);
	// A fresh browser context per job: the session is shared across jobs and tenants, and cookies,
	// storage and cache must not outlive the job that set them.
	const context = await bounded(browser.createBrowserContext(), CONTEXT_TIMEOUT_MS, browserStopped("createBrowserContext"));
	try {
		// Inside the try: a context whose page failed to open is closed too, not left in the kept-alive session.
		const page = await bounded(context.newPage(), CONTEXT_TIMEOUT_MS, browserStopped("newPage"));
		const { blockedMain } = await guardEgress(page, policy, input);
		await preparePage(page, input);
		await load(page, input, budget, blockedMain);
		await settle(page, input, budget);
		// A stream, not a buffer: the PDF goes to storage chunk by chunk as Chrome hands it over.
		return await consume(await page.createPDFStream({ ...pdfOptions(input.pdf), timeout: budget.remaining() }));
	} finally {
		await bounded(context.close(), CONTEXT_TIMEOUT_MS, browserStopped("close context")).catch(() => undefined);
	}
}
