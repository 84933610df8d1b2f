// One HTTP attempt at delivering an event: signed headers, 15 s timeout, redirects not followed.
import { VERSION } from "../version";
import { signatureHeader } from "./signing";
import { parseRetryAfter, type AttemptOutcome } from "./policy";

export const WEBHOOK_TIMEOUT_MS = 15_000;

/** Headers a caller's `webhook.headers` may not set: ours carry the signature and framing. */
const PROTECTED = new Set([
	"webhook-id",
	"webhook-timestamp",
	"webhook-signature",
	"content-type",
	"content-length",
	"host",
	"transfer-encoding",
	"connection",
]);

export interface Delivery {
	tenantId: string;
	url: string;
	method: string;
	headers: Record<string, string>;
	eventId: string;
	body: string;
}

export async function buildHeaders(env: Env, d: Delivery, now: Date): Promise<Headers> {
	const headers = new Headers();
	for (const [name, value] of Object.entries(d.headers)) if (!PROTECTED.has(name.toLowerCase())) headers.set(name, value);
	headers.set("content-type", "application/json");
	headers.set("user-agent", headers.get("user-agent") ?? `edge-pdf/${VERSION}`);
	headers.set("webhook-id", d.eventId);
	headers.set("webhook-timestamp", String(Math.floor(now.getTime() / 1000)));
	headers.set("webhook-signature", await signatureHeader(env, d.tenantId, d.eventId, now, d.body));
	return headers;
}

export async function attemptDelivery(env: Env, d: Delivery): Promise<AttemptOutcome> {
	const started = Date.now();
	try {
		const response = await fetch(d.url, {
			method: d.method,
			headers: await buildHeaders(env, d, new Date(started)),
			body: d.body,
			redirect: "manual",
			signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
		});
		// Only the status matters; release the connection.
		await response.body?.cancel().catch(() => undefined);
		const redirected = response.status >= 300 && response.status < 400;
		return {
			httpStatus: response.status,
			durationMs: Date.now() - started,
			error: redirected ? "redirects are not followed" : null,
			retryAfterSeconds: parseRetryAfter(response.headers.get("retry-after")),
		};
	} catch (err) {
		const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
		return {
			httpStatus: null,
			durationMs: Date.now() - started,
			error: timedOut ? `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s` : `request failed: ${err instanceof Error ? err.message : String(err)}`,
			retryAfterSeconds: null,
		};
	}
}
