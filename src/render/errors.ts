// A render attempt's failure, classified by cause: transient ones are retried, permanent ones fail
// the job. Only a dead connection or a failed launch/connect is the browser's fault; whatever one
// page or one print does wrong stays that job's error.
import type { JobError, RenderErrorCode } from "../schemas/job";

export class RenderFailure extends Error {
	constructor(
		readonly code: RenderErrorCode,
		message: string,
		readonly transient: boolean,
	) {
		super(message);
		this.name = "RenderFailure";
	}

	toJobError(): JobError {
		return { code: this.code, message: this.message };
	}
}

/**
 * Rejects with `failure()` when `work` has not settled within `ms`. A CDP call on a browser
 * connection that died can stay pending forever, and one hung consumer would stall its queue.
 */
export function bounded<T>(work: Promise<T>, ms: number, failure: () => Error): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(failure()), ms);
	});
	return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export const browserStopped = (what: string) => () => new RenderFailure("BROWSER_UNAVAILABLE", `the browser stopped answering (${what})`, true);

const DNS_OR_ROUTE =
	/net::ERR_(NAME_NOT_RESOLVED|NAME_RESOLUTION_FAILED|ADDRESS_UNREACHABLE|CONNECTION_REFUSED|INVALID_URL|UNSAFE_PORT|BLOCKED_BY_CLIENT|CERT_|SSL_|ABORTED|TOO_MANY_REDIRECTS|EMPTY_RESPONSE|INVALID_RESPONSE)/;
/** Chrome refusing `pdf.pageRanges`: past the last page, or not a range at all. */
const PAGE_RANGES = /Page range exceeds page count|Page range syntax error|pageRanges/i;
/** A page-level protocol error: the page, its frame or its target went away under one command. */
const PAGE_GONE =
	/Target closed|Session closed|detached Frame|detached frame|Execution context (was destroyed|is not available)|Navigating frame was detached|Cannot find context|No target with given id|Protocol error/i;

/** A merged render's part failed: classified like any attempt's failure, named by the part's index. */
export class PartFailure extends Error {
	constructor(
		readonly index: number,
		readonly error: unknown,
	) {
		super(`parts[${index}] failed`);
		this.name = "PartFailure";
	}
}

/** Whether `err` is one a dropped connection also produces: worth waiting a moment to tell the two apart. */
export function mayBeConnectionLoss(err: unknown): boolean {
	if (err instanceof PartFailure) return mayBeConnectionLoss(err.error);
	return !(err instanceof RenderFailure) && PAGE_GONE.test(err instanceof Error ? err.message : String(err));
}

/** How long a failed attempt waits for a dropping connection to report itself closed. */
export const CONNECTION_SETTLE_MS = 250;

/** What the attempt knew when it failed: whether the connection it had to the browser is gone. */
export interface FailureContext {
	connectionLost: boolean;
}

/** Maps whatever puppeteer or the platform threw to one of the job error codes. */
export function classify(err: unknown, at: FailureContext): RenderFailure {
	if (err instanceof PartFailure) {
		const failure = classify(err.error, at);
		const prefix = `parts[${err.index}]: `;
		return new RenderFailure(failure.code, failure.message.startsWith(prefix) ? failure.message : prefix + failure.message, failure.transient);
	}
	if (err instanceof RenderFailure) return err;
	const message = err instanceof Error ? err.message : String(err);
	const name = err instanceof Error ? err.name : "";
	if (at.connectionLost) return new RenderFailure("BROWSER_UNAVAILABLE", `the browser connection was lost: ${message}`, true);
	if (name === "TimeoutError" || /timeout .*exceeded|timed out/i.test(message)) {
		return new RenderFailure("RENDER_TIMEOUT", `the page did not finish within its time budget: ${message}`, true);
	}
	if (PAGE_RANGES.test(message)) {
		return new RenderFailure(
			"INVALID_REQUEST",
			`pdf.pageRanges does not match the document's pages: ${message.replace(/^.*?Protocol error \([^)]*\): /, "")}`,
			false,
		);
	}
	if (DNS_OR_ROUTE.test(message)) return new RenderFailure("NAVIGATION_FAILED", `navigation failed: ${message}`, false);
	if (/net::ERR_/.test(message)) return new RenderFailure("NAVIGATION_FAILED", `navigation failed: ${message}`, true);
	// The connection is up, so a page-level protocol error belongs to this page, never to the browser.
	if (PAGE_GONE.test(message)) return new RenderFailure("NAVIGATION_FAILED", `the page went away while rendering: ${message}`, true);
	return new RenderFailure("INTERNAL", `render failed: ${message}`, true);
}
