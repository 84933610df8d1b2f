// Browser Rendering sessions: reuse an idle kept-alive session (sessions() + connect(), ~25 ms locally)
// before launching a new one (300-900 ms and limited per minute). disconnect() leaves the session
// alive for the next batch or request; a browser kept in a module variable would not survive them.
import puppeteer, { type ActiveSession, type Browser } from "@cloudflare/puppeteer";
import { log } from "../log";
import { bounded, browserStopped, RenderFailure } from "./errors";

/** How long Browser Rendering keeps an idle session for us to reconnect to. */
const KEEP_ALIVE_MS = 60_000;
/** Bounds on each session call, so a dead endpoint fails the attempt instead of hanging it. */
const CONNECT_TIMEOUT_MS = 10_000;
const LAUNCH_TIMEOUT_MS = 30_000;
const RELEASE_TIMEOUT_MS = 5_000;
/** Sessions tried before launching a new one. */
const MAX_CONNECT_TRIES = 3;

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
				await bounded(browser.disconnect(), RELEASE_TIMEOUT_MS, browserStopped("disconnect"));
			} catch {
				// Already gone: nothing to hand back.
			}
		},
	};
}

async function listSessions(env: Env): Promise<ActiveSession[]> {
	return bounded(puppeteer.sessions(env.BROWSER), CONNECT_TIMEOUT_MS, browserStopped("sessions")).catch(() => []);
}

/**
 * A kept-alive session to reconnect to: idle ones (no connection) first, then ones still listed as
 * connected, because a released connection is not always cleared from the list (wrangler dev keeps
 * it). Browser Rendering refuses a second connection to a session in use, so trying one is safe:
 * it fails fast and we move on.
 */
async function connectIdle(env: Env): Promise<BrowserLease | null> {
	const sessions = await listSessions(env);
	const candidates = [...sessions.filter((s) => !s.connectionId), ...sessions.filter((s) => s.connectionId)].slice(0, MAX_CONNECT_TRIES);
	for (const session of candidates) {
		try {
			return lease(await bounded(puppeteer.connect(env.BROWSER, session.sessionId), CONNECT_TIMEOUT_MS, browserStopped("connect")), false);
		} catch {
			// Taken by another consumer, or just closed: try the next one.
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
		const launched = lease(await bounded(puppeteer.launch(env.BROWSER, { keep_alive: KEEP_ALIVE_MS }), LAUNCH_TIMEOUT_MS, browserStopped("launch")), true);
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
		void old?.then((l) => bounded(l.browser.close(), RELEASE_TIMEOUT_MS, browserStopped("close"))).catch(() => undefined);
	}

	async release(): Promise<void> {
		const current = this.pending;
		this.pending = null;
		if (current) await current.then((l) => l.release()).catch(() => undefined);
	}
}
