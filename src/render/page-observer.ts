// Watches one job's page from before it loads until it prints or fails, and keeps what the render
// report and page.failOn need: request counts, failed and refused requests, the requests in flight
// (for network idle and the report's pending list), console errors and warnings, uncaught errors.
// Cheap on purpose: per request only a counter and a map entry while it is in flight; the lists
// stop growing at MAX_ENTRIES (the report shows 50) and texts at MAX_TEXT.
import type { CDPSession, Page } from "@cloudflare/puppeteer";
import type { FailOn } from "../schemas/render-request";
import { redactUrl } from "../security/redact";
import { RenderFailure } from "./errors";
import type { BlockedResource, ConsoleEntry, FailedResource, PageObservations, ReadinessOutcome } from "./observations";

const MAX_ENTRIES = 100;
const MAX_TEXT = 1000;
/** Shown in page.failOn's message: enough to recognise the offender. */
const MAX_MESSAGE_TEXT = 200;
/** What our own egress guard makes Chrome report for a request it refused. */
const REFUSED = "net::ERR_BLOCKED_BY_CLIENT";
/** A request the page (or a navigation) cancelled: not a failure of the resource. */
const CANCELLED = "net::ERR_ABORTED";

type Offence = keyof FailOn;
/** The page phases timed for the report: navigation (opening the page included), readiness with the waits, the print. */
export type Phase = "navigate" | "ready" | "print";

interface RemoteValue {
	type?: string;
	value?: unknown;
	description?: string;
}

const bounded = (text: string, max = MAX_TEXT) => (text.length > max ? `${text.slice(0, max)}…` : text);
/** Requests that never leave the browser: not counted, never in flight. */
const local = (url: string) => /^(data|blob|about):/i.test(url);

interface InFlight {
	url: string;
	status: number;
	answered: boolean;
	mainDocument: boolean;
}

/** The main frame's id (puppeteer's Frame keeps it in `_id`, absent from its types): its document request is the page's own. */
function mainFrameId(page: Page): string | null {
	const id = (page.mainFrame() as unknown as { _id?: unknown })._id;
	return typeof id === "string" ? id : null;
}

/** A URL as page.failOn's message shows it: no userinfo, query or fragment. */
function shown(raw: string): string {
	try {
		const url = new URL(raw);
		return `${url.protocol}//${url.host}${url.pathname}`;
	} catch {
		return redactUrl(raw);
	}
}

function describeArgs(args: RemoteValue[] | undefined): string {
	return (args ?? []).map((arg) => (arg.value !== undefined ? String(arg.value) : (arg.description ?? arg.type ?? ""))).join(" ");
}

/** An exception's text without its stack ("ReferenceError: foo is not defined"). */
function exceptionText(details: { text?: string; exception?: RemoteValue }): string {
	const description = details.exception?.description ?? details.exception?.value;
	const text = description !== undefined ? String(description) : (details.text ?? "uncaught error");
	return text.split(/\n\s+at /)[0] ?? text;
}

export class PageObserver {
	private requested = 0;
	private readonly inFlight = new Map<string, InFlight>();
	private mainFrameId: string | null = null;
	/** Requests in flight that have no response yet: the network is not idle while there are any. */
	private unanswered = 0;
	/** When a request last started, was answered, received data or settled (epoch ms; 0: never). */
	private lastActivityAt = 0;
	private readonly failed: FailedResource[] = [];
	private readonly blocked: BlockedResource[] = [];
	private readonly console: ConsoleEntry[] = [];
	private readonly pageErrors: string[] = [];
	/** URLs of the page's requests the guard refused (how many of each): reported as blocked, not again as failed. */
	private readonly refused = new Map<string, number>();
	/** The first offence of each kind, for page.failOn: its order and its message. */
	private readonly offences = new Map<Offence, { seq: number; message: string }>();
	private seq = 0;
	private wake: (() => void) | null = null;

	readiness: ReadinessOutcome = { lazyLoad: "skipped", images: "skipped", fonts: "skipped", networkIdle: "skipped" };
	unfinishedWait: string | null = null;
	private readonly phases: PageObservations["phases"] = { navigateMs: 0, readyMs: 0, printMs: 0 };
	private phase: { name: Phase; since: number } | null = null;

	/** Starts timing `name`; the phase before it ends now. */
	enter(name: Phase): void {
		this.endPhase();
		this.phase = { name, since: Date.now() };
	}

	/** Ends the phase in progress (at success, or where the page failed). */
	endPhase(): void {
		if (this.phase) this.phases[`${this.phase.name}Ms`] = Date.now() - this.phase.since;
		this.phase = null;
	}

	/** Listens to the page session's network events, console calls and uncaught exceptions (Network and Runtime are on). */
	attach(page: Page, session: CDPSession): void {
		this.mainFrameId = mainFrameId(page);
		// Straight from the protocol: cheaper than puppeteer's request objects, and puppeteer holds back
		// "requestfinished" of some cross-origin requests for extra-info events that never come.
		session.on("Network.requestWillBeSent", (event) =>
			this.started(event.requestId, event.request.url, event.type === "Document" && event.frameId === this.mainFrameId),
		);
		session.on("Network.responseReceived", (event) => this.answered(event.requestId, event.response.status));
		session.on("Network.dataReceived", () => this.active());
		session.on("Network.loadingFinished", (event) => this.finished(event.requestId));
		session.on("Network.loadingFailed", (event) => this.failedRequest(event.requestId, event.errorText, event.blockedReason));
		// puppeteer's own console event makes a handle of every argument; the protocol event does not.
		session.on("Runtime.consoleAPICalled", (event) => this.consoleCalled(event.type, event.args as RemoteValue[]));
		session.on("Runtime.exceptionThrown", (event) => this.uncaught(exceptionText(event.exceptionDetails)));
	}

	/** The egress guard refused `url` (the address policy); `aborted` when the page's own request was aborted and will fail next. */
	refusedRequest(url: string, aborted: boolean): void {
		if (aborted) this.refused.set(url, (this.refused.get(url) ?? 0) + 1);
		this.addBlocked(url);
	}

	/** Whether a failed request is one the guard refused and already reported. */
	private reported(url: string): boolean {
		const count = this.refused.get(url) ?? 0;
		if (count === 0) return false;
		if (count === 1) this.refused.delete(url);
		else this.refused.set(url, count - 1);
		return true;
	}

	private started(id: string, url: string, mainDocument: boolean): void {
		// A redirect is the same request going on to its next URL.
		const redirected = this.inFlight.get(id);
		if (redirected) {
			redirected.url = url;
			return;
		}
		if (local(url)) return;
		this.requested++;
		this.inFlight.set(id, { url, status: 0, answered: false, mainDocument });
		this.unanswered++;
		this.active();
	}

	private answered(id: string, status: number): void {
		const request = this.inFlight.get(id);
		if (!request) return;
		request.status = status;
		if (!request.answered) this.unanswered--;
		request.answered = true;
		this.active();
	}

	private active(): void {
		this.lastActivityAt = Date.now();
		this.notify();
	}

	private settled(id: string): InFlight | undefined {
		const request = this.inFlight.get(id);
		if (!request) return undefined;
		this.inFlight.delete(id);
		if (!request.answered) this.unanswered--;
		this.active();
		return request;
	}

	private finished(id: string): void {
		const request = this.settled(id);
		// The page's own document answers for itself (failOnHttpError).
		if (request && request.status >= 400 && !request.mainDocument) this.addFailed({ url: request.url, status: request.status });
	}

	private failedRequest(id: string, errorText: string, blockedReason: string | undefined): void {
		const request = this.settled(id);
		if (!request || this.reported(request.url)) return;
		// Refused by the renderer-side blocklist (DevTools' own blocking, "inspector"), or aborted by
		// interception: no other part of a rendered page blocks "by client".
		if (blockedReason === "inspector" || errorText === REFUSED) this.addBlocked(request.url);
		else if (errorText !== CANCELLED && !request.mainDocument)
			this.addFailed({ url: request.url, error: errorText || `blocked (${blockedReason ?? "unknown"})` });
	}

	private addFailed(entry: FailedResource): void {
		if (this.failed.length < MAX_ENTRIES) this.failed.push({ ...entry, url: bounded(entry.url) });
		const why = entry.status !== undefined ? `HTTP ${entry.status}` : entry.error;
		this.offend("resourceError", `a subresource failed: ${shown(entry.url)} (${why})`);
	}

	private addBlocked(url: string): void {
		if (this.blocked.length < MAX_ENTRIES) this.blocked.push({ url: bounded(url), reason: "URL_NOT_ALLOWED" });
		this.offend("blocked", `the address policy refused a request: ${shown(url)}`);
	}

	private consoleCalled(type: string, args: RemoteValue[]): void {
		const level = type === "error" || type === "assert" ? "error" : type === "warning" ? "warning" : null;
		if (level === null) return;
		const text = bounded(describeArgs(args));
		if (this.console.length < MAX_ENTRIES) this.console.push({ level, text });
		if (level === "error") this.offend("consoleError", `the page logged a console error: ${bounded(text, MAX_MESSAGE_TEXT)}`);
	}

	private uncaught(text: string): void {
		const kept = bounded(text);
		if (this.pageErrors.length < MAX_ENTRIES) this.pageErrors.push(kept);
		this.offend("pageError", `the page threw an uncaught error: ${bounded(kept, MAX_MESSAGE_TEXT)}`);
	}

	private offend(kind: Offence, message: string): void {
		if (!this.offences.has(kind)) this.offences.set(kind, { seq: this.seq++, message });
	}

	/** page.failOn: the earliest offence of the kinds asked for fails the job, naming it. */
	checkFailOn(failOn: FailOn | undefined): void {
		if (!failOn) return;
		let first: { seq: number; message: string } | undefined;
		for (const [kind, offence] of this.offences) if (failOn[kind] && (!first || offence.seq < first.seq)) first = offence;
		if (first) throw new RenderFailure("PAGE_CHECK_FAILED", `page.failOn: ${first.message}`, false);
	}

	/**
	 * Waits until the network has been quiet for `idleMs`, or until `deadline` (epoch ms). Quiet: no
	 * request waiting for its response, and none started, answered, receiving data or settling, for
	 * `idleMs` counted from the last such event, so a page quiet since before it loaded waits
	 * nothing. A request answered but never finished counts as quiet once no data comes: Chromium
	 * finishes a fetch only when the page reads its body, and many pages never do (beacons).
	 */
	async networkIdle(idleMs: number, deadline: number, stopped: () => boolean): Promise<boolean> {
		for (;;) {
			const now = Date.now();
			const quietUntil = this.lastActivityAt + idleMs;
			if (this.unanswered === 0 && now >= quietUntil) return true;
			if (now >= deadline || stopped()) return false;
			// Until the quiet period is over, the deadline, or the next request event, whichever is first.
			const until = this.unanswered === 0 ? Math.min(deadline, quietUntil) : deadline;
			await new Promise<void>((resolve) => {
				const timer = setTimeout(done, Math.max(1, until - now));
				function done() {
					clearTimeout(timer);
					resolve();
				}
				this.wake = done;
			});
			this.wake = null;
		}
	}

	/** Whether the network was active after `since` (epoch ms). */
	activeSince(since: number): boolean {
		return this.lastActivityAt > since;
	}

	private notify(): void {
		this.wake?.();
	}

	/** What the page showed so far: copies, so later events do not change a delivered snapshot. */
	snapshot(): PageObservations {
		return {
			readiness: { ...this.readiness },
			unfinishedWait: this.unfinishedWait,
			resources: {
				requested: this.requested,
				failed: [...this.failed],
				blocked: [...this.blocked],
				pending: [...this.inFlight.values()].slice(0, MAX_ENTRIES).map((request) => bounded(request.url)),
			},
			console: [...this.console],
			pageErrors: [...this.pageErrors],
			phases: { ...this.phases },
		};
	}
}
