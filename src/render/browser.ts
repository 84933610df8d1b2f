// Browser Rendering sessions: reuse an idle kept-alive session (sessions() + connect(), ~25 ms locally)
// before launching a new one (300-900 ms and limited per minute). disconnect() leaves the session
// alive for the next batch or request; a browser kept in a module variable would not survive them.
import puppeteer, { type Browser } from "@cloudflare/puppeteer";
import { log } from "../log";
import { RenderFailure } from "./errors";

/** How long Browser Rendering keeps an idle session for us to reconnect to. */
const KEEP_ALIVE_MS = 60_000;

export interface BrowserLease {
	browser: Browser;
	launched: boolean;
	release(): Promise<void>;
}

function lease(browser: Browser, launched: boolean): BrowserLease {
	return {
		browser,
		launched,
		release: async () => {
			try {
				await browser.disconnect();
			} catch {
				// Already gone: nothing to hand back.
			}
		},
	};
}

/** Sessions worth trying: idle ones first; then ones still marked connected, since a connection
 * released a moment ago (disconnect() is asynchronous) may not be cleared from the list yet. */
const MAX_CONNECT_TRIES = 3;

async function connectIdle(env: Env): Promise<BrowserLease | null> {
	const sessions = await puppeteer.sessions(env.BROWSER).catch(() => []);
	const candidates = [...sessions.filter((s) => !s.connectionId), ...sessions.filter((s) => s.connectionId)].slice(0, MAX_CONNECT_TRIES);
	for (const session of candidates) {
		try {
			return lease(await puppeteer.connect(env.BROWSER, session.sessionId), false);
		} catch {
			// In use by another consumer, or just closed: try the next one.
		}
	}
	return null;
}

export async function acquireBrowser(env: Env): Promise<BrowserLease> {
	const started = Date.now();
	const idle = await connectIdle(env);
	if (idle) {
		log({ msg: "browser session reused", phase: "browser", durationMs: Date.now() - started });
		return idle;
	}
	try {
		const launched = lease(await puppeteer.launch(env.BROWSER, { keep_alive: KEEP_ALIVE_MS }), true);
		log({ msg: "browser launched", phase: "browser", durationMs: Date.now() - started });
		return launched;
	} catch (err) {
		// Launch limits (429) and outages are transient: the job is retried with backoff.
		throw new RenderFailure("BROWSER_UNAVAILABLE", `could not start a browser: ${err instanceof Error ? err.message : String(err)}`, true);
	}
}

/** One browser for many jobs, started only when the first job needs it. */
export class SharedBrowser {
	private pending: Promise<BrowserLease> | null = null;

	constructor(private readonly env: Env) {}

	get(): Promise<Browser> {
		this.pending ??= acquireBrowser(this.env);
		return this.pending.then((l) => l.browser);
	}

	/** Drops a broken browser so the next job acquires a fresh one. */
	discard(): void {
		const old = this.pending;
		this.pending = null;
		void old?.then((l) => l.browser.close()).catch(() => undefined);
	}

	async release(): Promise<void> {
		const current = this.pending;
		this.pending = null;
		if (current) await current.then((l) => l.release()).catch(() => undefined);
	}
}
