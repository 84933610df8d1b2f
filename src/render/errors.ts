// A render attempt's failure, classified: transient ones are retried, permanent ones fail the job.
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

const DNS_OR_ROUTE = /net::ERR_(NAME_NOT_RESOLVED|NAME_RESOLUTION_FAILED|ADDRESS_UNREACHABLE|CONNECTION_REFUSED|INVALID_URL|UNSAFE_PORT|BLOCKED_BY_CLIENT|CERT_|SSL_|ABORTED|TOO_MANY_REDIRECTS|EMPTY_RESPONSE|INVALID_RESPONSE)/;
const BROWSER_GONE = /Target closed|Session closed|Connection closed|Protocol error|browser has disconnected|WebSocket|Navigating frame was detached|429|Too many|rate limit|Unable to connect|unavailable/i;

/** Maps whatever puppeteer or the platform threw to one of SPEC.md's error codes. */
export function classify(err: unknown): RenderFailure {
	if (err instanceof RenderFailure) return err;
	const message = err instanceof Error ? err.message : String(err);
	const name = err instanceof Error ? err.name : "";
	if (name === "TimeoutError" || /timeout .*exceeded|timed out/i.test(message)) {
		// A timeout may be a slow moment; it becomes final after the last attempt.
		return new RenderFailure("RENDER_TIMEOUT", `the page did not finish within its time budget: ${message}`, true);
	}
	if (DNS_OR_ROUTE.test(message)) return new RenderFailure("NAVIGATION_FAILED", `navigation failed: ${message}`, false);
	if (/net::ERR_/.test(message)) return new RenderFailure("NAVIGATION_FAILED", `navigation failed: ${message}`, true);
	if (BROWSER_GONE.test(message)) return new RenderFailure("BROWSER_UNAVAILABLE", `browser unavailable: ${message}`, true);
	return new RenderFailure("INTERNAL", `render failed: ${message}`, true);
}
