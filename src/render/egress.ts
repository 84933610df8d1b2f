// Everything a rendered page sends goes through the address policy, from every target it creates.
// Request interception (CDP Fetch) covers the job's page only and sees neither WebSocket,
// WebTransport nor WebRTC, so around it:
// - new targets in the job's context are handled while Chrome holds them paused (puppeteer
//   auto-attaches with waitForDebuggerOnStart and resumes right after emitting its Ready event;
//   a synchronous listener there sends its commands first):
//   a new tab (a popup that got past lockdown.ts) is closed at once; its first navigation request
//   may already have left (measured: Chrome starts it before the tab's Ready), hence lockdown.ts;
//   dedicated and shared workers get their own Fetch interception and the worker lockdown;
//   out-of-process frames and speculative pages get the frame lockdown and the renderer blocklist
//   (puppeteer already intercepts their requests);
// - every frame runs FRAME_LOCKDOWN first (lockdown.ts): WebSocket/WebTransport/WebRTC that never connect, no
//   window.open or new-window links and forms, no service worker registration;
// - renderer-side blocking (renderer-blocklist.ts) refuses private addresses for what Fetch misses;
// - under all of it, the job's browser context sends connections to refused hosts to a proxy that
//   does not exist (egress-sink.ts): what Chrome opens by itself (preconnects, speculation rules).
// Other jobs share the browser connection: only targets of this job's browser context are touched.
import type { BrowserContext, CDPSession, HTTPRequest, Page } from "@cloudflare/puppeteer";
import { CDPSessionEvent } from "@cloudflare/puppeteer";
import { isAllowedPageRequest, type UrlPolicy } from "../security/url-policy";
import type { PageOptions } from "../schemas/render-request";
import { credentialHeaders, scopeCredentials, type CallerCredentials } from "./credentials";
import { FRAME_LOCKDOWN, WORKER_LOCKDOWN } from "./lockdown";
import { rendererBlocklist } from "./renderer-blocklist";
import { isFontUrl, type JobFonts } from "./tenant-fonts";

interface TargetInfo {
	targetId: string;
	type: string;
	browserContextId?: string;
}

/**
 * puppeteer internals this relies on (@cloudflare/puppeteer 1.4.0, pinned): the Ready event a
 * session emits for each child session before the child resumes, the page's own session, and
 * each session's target info. Checked at run time so an upgrade that drops them fails every render
 * loudly in the tests rather than leaving egress open.
 */
type Emitter = Pick<CDPSession, "on" | "off">;
interface SessionInternals {
	_target(): { _getTargetInfo(): TargetInfo };
	parentSession(): CDPSession | undefined;
}
interface PageInternals {
	_client(): CDPSession;
}

const READY = (CDPSessionEvent as unknown as { Ready?: symbol }).Ready;

/** The page's own DevTools session (puppeteer's), which already has Runtime and Network enabled. */
export function pageSession(page: Page): CDPSession {
	const internals = page as unknown as Partial<PageInternals>;
	if (typeof internals._client !== "function" || typeof READY !== "symbol") throw new Error("egress guard: unsupported puppeteer version");
	return internals._client();
}

function targetInfo(session: CDPSession): TargetInfo | null {
	const internals = session as unknown as Partial<SessionInternals>;
	try {
		return internals._target?.()._getTargetInfo() ?? null;
	} catch {
		return null;
	}
}

/** Fire-and-forget: a target may close at any moment, and its commands must go out before it resumes. */
function send(session: CDPSession, method: string, params: object = {}): void {
	(session.send as (method: string, params: object) => Promise<unknown>)(method, params).catch(() => undefined);
}

interface GuardOptions {
	policy: UrlPolicy;
	credentials: CallerCredentials | null;
	/** The job's url: a refused redirect of its own navigation fails the job. */
	url: string | null;
	/** The tenant's fonts: requests for them are answered here and never leave (tenant-fonts.ts). */
	fonts: JobFonts | null;
	onRefused: RefusalListener;
}

/**
 * Hears of each request the guard refuses (the render report's "blocked", page.failOn.blocked);
 * `aborted` when the page's own request was aborted, so the page's network events report it failed.
 */
export type RefusalListener = (url: string, aborted: boolean) => void;

/** Same address policy for a worker's own requests (Fetch on its session; workers have no puppeteer interception). */
function interceptWorker(session: CDPSession, policy: UrlPolicy, onRefused: RefusalListener): void {
	session.on("Fetch.requestPaused", (event) => {
		// Tenant fonts are for documents, served by the page's interception; a worker asking is refused.
		if (!isFontUrl(event.request.url) && isAllowedPageRequest(event.request.url, policy))
			send(session, "Fetch.continueRequest", { requestId: event.requestId });
		else {
			onRefused(event.request.url, false);
			send(session, "Fetch.failRequest", { requestId: event.requestId, errorReason: "BlockedByClient" });
		}
	});
	send(session, "Fetch.enable", { patterns: [{ urlPattern: "*" }] });
}

function lockFrames(session: CDPSession, policy: UrlPolicy): void {
	send(session, "Page.addScriptToEvaluateOnNewDocument", { source: FRAME_LOCKDOWN, runImmediately: true });
	if (!policy.allowPrivateNetwork) send(session, "Network.setBlockedURLs", { urls: rendererBlocklist() });
}

/**
 * Handles each target this job's page creates, while it is still paused. `owned` emitters (the
 * page's session and sessions of targets we let run) report only our targets; the connection and
 * the page's tab report everyone's, so those are filtered by browser context.
 */
function watchTargets(page: Page, context: BrowserContext, policy: UrlPolicy, onRefused: RefusalListener): () => void {
	const own = pageSession(page);
	const connection = own.connection();
	const contextId = context.id;
	const pageTargetId = targetInfo(own)?.targetId;
	const watched: Array<[Emitter, (session: CDPSession) => void]> = [];

	const watch = (emitter: Emitter, owned: boolean) => {
		const onReady = (session: CDPSession) => {
			const info = targetInfo(session);
			if (!info || info.targetId === pageTargetId) return;
			if (!owned && info.browserContextId !== contextId) return;
			handle(session, info);
		};
		emitter.on(READY as never, onReady as never);
		watched.push([emitter, onReady]);
	};

	const handle = (session: CDPSession, info: TargetInfo) => {
		switch (info.type) {
			case "tab":
				// A popup: closed before its first navigation (favicon included) leaves the browser.
				if (connection) void connection.send("Target.closeTarget", { targetId: info.targetId }).catch(() => undefined);
				return;
			case "worker":
			case "shared_worker":
				send(session, "Runtime.evaluate", { expression: WORKER_LOCKDOWN });
				if (!policy.allowPrivateNetwork) interceptWorker(session, policy, onRefused);
				watch(session, true);
				return;
			case "iframe":
			case "page": // a prerendered page in our tab
				lockFrames(session, policy);
				watch(session, true);
				return;
			default:
				// Anything else (worklets, future target types) is closed rather than trusted.
				if (connection) void connection.send("Target.closeTarget", { targetId: info.targetId }).catch(() => undefined);
		}
	};

	watch(own, true);
	const tab = (own as unknown as Partial<SessionInternals>).parentSession?.();
	if (tab && tab !== own) watch(tab, false);
	if (connection) watch(connection as unknown as Emitter, false);
	return () => {
		for (const [emitter, listener] of watched) emitter.off(READY as never, listener as never);
	};
}

function sameUrl(a: string | undefined, b: string | null): boolean {
	if (a === undefined || b === null) return false;
	try {
		return new URL(a).href === new URL(b).href;
	} catch {
		return false;
	}
}

/** The page's own requests: the address policy, and the caller's credentials on requests to their origin. */
function interceptPage(page: Page, options: GuardOptions, onBlockedMain: (url: string) => void): void {
	page.on("request", (request: HTTPRequest) => {
		if (request.isInterceptResolutionHandled()) return;
		const url = request.url();
		// The reserved font origin is answered here, from storage, or refused: never continued.
		if (isFontUrl(url)) {
			void (options.fonts ? options.fonts.answer(request) : request.abort("blockedbyclient"));
			return;
		}
		if (!isAllowedPageRequest(url, options.policy)) {
			const navigation = request.isNavigationRequest();
			const ownLoad = navigation && request.frame() === page.mainFrame() && sameUrl(request.redirectChain()[0]?.url(), options.url);
			if (ownLoad) onBlockedMain(url);
			// Any other refused navigation (meta refresh, location, a frame's src) answers 204 No
			// Content, which Chrome treats as "stay": the page keeps its document and still prints.
			const stay = navigation && !ownLoad;
			options.onRefused(url, !stay);
			void (stay ? request.respond({ status: 204, body: "" }) : request.abort("blockedbyclient"));
			return;
		}
		const existing = request.headers();
		const extra = options.credentials ? credentialHeaders(url, options.credentials, existing.cookie) : null;
		void (extra ? request.continue({ headers: { ...existing, ...extra } }) : request.continue());
	});
}

/**
 * Installs the guard on a job's fresh page, before it loads anything. Interception is skipped only
 * when there is nothing to refuse and no credentials to scope (private networks allowed): it costs
 * a round trip per request. `onBlockedMain` hears of a refused load (or redirect) of the job's own url,
 * `onRefused` of every refused request.
 */
export async function guardEgress(
	page: Page,
	policy: UrlPolicy,
	job: { url: string | null; page: PageOptions; fonts?: JobFonts | null },
	onBlockedMain: (url: string) => void,
	onRefused: RefusalListener = () => undefined,
): Promise<void> {
	const options: GuardOptions = { policy, url: job.url, credentials: scopeCredentials(job.url, job.page), fonts: job.fonts ?? null, onRefused };
	const context = page.browserContext();
	const stopWatching = watchTargets(page, context, options.policy, onRefused);
	page.once("close", stopWatching);
	const own = pageSession(page);
	const setup: Array<Promise<unknown>> = [
		own.send("Page.addScriptToEvaluateOnNewDocument", { source: FRAME_LOCKDOWN, runImmediately: true }),
		// The current about:blank document too (setContent writes into it), whatever runImmediately does.
		own.send("Runtime.evaluate", { expression: FRAME_LOCKDOWN }),
		own.send("Page.setPrerenderingAllowed", { isAllowed: false }).catch(() => undefined),
	];
	if (!options.policy.allowPrivateNetwork) setup.push(own.send("Network.setBlockedURLs", { urls: rendererBlocklist() }));
	if (options.fonts) {
		// runImmediately covers the current about:blank document (setContent writes into it); evaluated twice, each face would be declared twice.
		setup.push(own.send("Page.addScriptToEvaluateOnNewDocument", { source: options.fonts.pageScript(), runImmediately: true }));
	}
	const intercept = !options.policy.allowPrivateNetwork || options.credentials !== null || options.fonts !== null;
	if (intercept) setup.push(page.setRequestInterception(true));
	await Promise.all(setup);
	if (intercept) interceptPage(page, options, onBlockedMain);
}
