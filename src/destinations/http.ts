// One PUT or DELETE to a customer's storage, summarised without its URL's query (a credential).
import type { DestinationAttempt } from "../schemas/destination";
import { DELIVERY_TIMEOUT_MS } from "./state";

export interface StorageAnswer extends DestinationAttempt {
	etag: string | null;
	/** 5xx, 408, 429, a timeout or a network error: worth another try. */
	transient: boolean;
}

/** The S3 error code of an XML error body ("SignatureDoesNotMatch"), if there is one. */
async function s3ErrorCode(response: Response): Promise<string | null> {
	const text = await response.text().catch(() => "");
	return /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(text.slice(0, 4096))?.[1] ?? null;
}

export async function send(request: Request, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<StorageAnswer> {
	const started = Date.now();
	try {
		const response = await fetch(request, { redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
		const status = response.status;
		const durationMs = Date.now() - started;
		if (status >= 200 && status < 300) {
			await response.body?.cancel().catch(() => undefined);
			return { httpStatus: status, durationMs, error: null, etag: response.headers.get("etag")?.replace(/^"|"$/g, "") ?? null, transient: false };
		}
		const code = await s3ErrorCode(response);
		const redirect = status >= 300 && status < 400 ? ": redirects are not followed" : "";
		const error = `the destination answered ${status}${code ? ` (${code})` : ""}${redirect}`;
		return { httpStatus: status, durationMs, error, etag: null, transient: status >= 500 || status === 408 || status === 429 };
	} catch (err) {
		const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
		const search = new URL(request.url).search;
		const reason = err instanceof Error ? err.message : String(err);
		const error = timedOut ? `no answer within ${timeoutMs / 1000} s` : `the request failed: ${search ? reason.replaceAll(search, "") : reason}`;
		return { httpStatus: null, durationMs: Date.now() - started, error, etag: null, transient: true };
	}
}

/** A URL as it may be shown and logged: no query, no fragment, no userinfo. */
export function withoutQuery(raw: string): string {
	const url = new URL(raw);
	return `${url.protocol}//${url.host}${url.pathname}`;
}
