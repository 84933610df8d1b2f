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
/**
 * Job contexts a session may already hold for us to join it: two full render batches. A judgement,
 * not a platform limit; past it a new browser spreads the load (or a 429 backs the job off).
 */
export const MAX_SHARED_CONTEXTS = 8;

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

/** Job contexts open in a browser (every job has one; the default context is never used). */
function openJobContexts(browser: Browser): number {
	return browser.browserContexts().length - 1;
}

/**
 * A kept-alive session to reconnect to: idle ones (no connection) first, then ones listed as
 * connected, because a released connection is not always cleared from the list (wrangler dev keeps
 * it). Sessions accept several connections at once (Browser Rendering since 2026-09, and wrangler
 * dev), each job keeping to its own context; but one browser should not carry every consumer's
 * jobs, so a session already holding MAX_SHARED_CONTEXTS job contexts is left for a new launch.
 */
async function connectIdle(env: Env): Promise<BrowserLease | null> {
	const sessions = await listSessions(env);
	const candidates = [...sessions.filter((s) => !s.connectionId), ...sessions.filter((s) => s.connectionId)].slice(0, MAX_CONNECT_TRIES);
	for (const session of candidates) {
		try {
			const browser = await bounded(puppeteer.connect(env.BROWSER, session.sessionId), CONNECT_TIMEOUT_MS, browserStopped("connect"));
			if (openJobContexts(browser) < MAX_SHARED_CONTEXTS) return lease(browser, false);
			await lease(browser, false).release();
		} catch {
			// Just closed, or refused: try the next one.
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
	/** The browser `pending` resolved to, once it has. */
	private current: Browser | null = null;
	/** Connections dropped from use but left open for the jobs still on them, until the batch ends. */
	private retired: Array<Promise<BrowserLease>> = [];

	constructor(private readonly env: Env) {}

	get(): Promise<Browser> {
		if (!this.pending) {
			const pending = acquireBrowser(this.env);
			this.pending = pending;
			void pending
				.then((l) => {
					if (this.pending === pending) this.current = l.browser;
				})
				.catch(() => undefined);
		}
		return this.pending.then((l) => l.browser);
	}

	/**
	 * Drops our connection so the next job acquires a fresh one. Never close(): other batches may be
	 * connected to the same session, and close() would end it under their jobs. A wedged browser is
	 * reaped by Browser Rendering once its last connection is gone (keep_alive). With `failed`, only
	 * that browser is dropped: another job of the batch may have replaced it already.
	 */
	discard(failed: Browser | null = null): void {
		if (failed && this.current !== failed) return;
		// Other jobs of the batch may still be printing on it: the next job connects afresh, and the
		// old connection is let go with the batch (a dead one has nothing left to release).
		if (this.pending) this.retired.push(this.pending);
		this.pending = null;
		this.current = null;
	}

	async release(): Promise<void> {
		const leases = [...this.retired, ...(this.pending ? [this.pending] : [])];
		this.pending = null;
		this.current = null;
		this.retired = [];
		await Promise.all(leases.map((lease) => lease.then((l) => l.release()).catch(() => undefined)));
	}
}

/**
 * Whether the connection an attempt used is gone: a job that failed while it was up (or before it
 * had one) failed for its own reasons, not the browser's. A dropped connection fails the commands in
 * flight a moment before it reports itself closed, so a caller can wait up to `settleMs` for that.
 */
export async function connectionLost(browser: Browser | null, settleMs = 0): Promise<boolean> {
	if (!browser) return false;
	if (!browser.connected) return true;
	if (settleMs <= 0) return false;
	return new Promise<boolean>((resolve) => {
		const done = (lost: boolean) => {
			clearTimeout(timer);
			browser.off("disconnected", onDisconnected);
			resolve(lost);
		};
		const onDisconnected = () => done(true);
		const timer = setTimeout(() => done(!browser.connected), settleMs);
		browser.on("disconnected", onDisconnected);
	});
}
