// @edge-pdf/client: a typed client for the edge-pdf API, generated from its OpenAPI document
// (openapi-typescript types in ./schema, requests through openapi-fetch), and verifyWebhook()
// for its Standard Webhooks deliveries.
import createFetchClient from "openapi-fetch";
import { Webhook } from "standardwebhooks";
import type { components, operations, paths, webhooks } from "./schema.js";

export type { components, operations, paths, webhooks };

export type Render = components["schemas"]["Render"];
export type RenderStatus = Render["status"];
export type RenderRequest = NonNullable<operations["createRender"]["requestBody"]>["content"]["application/json"];
export type RenderListQuery = NonNullable<operations["listRenders"]["parameters"]["query"]>;
export type RenderList = components["schemas"]["RenderList"];
export type ErrorCode = components["schemas"]["ErrorCode"];
export type WebhookEvent = components["schemas"]["WebhookEvent"];
export type WebhookEventType = components["schemas"]["WebhookEventType"];

/** An error answer of the API: `{ error: { code, message, details? } }` with its HTTP status. */
export class EdgePdfError extends Error {
	constructor(
		readonly status: number,
		readonly code: ErrorCode,
		message: string,
		readonly details: components["schemas"]["ErrorDetail"][] = [],
	) {
		super(message);
		this.name = "EdgePdfError";
	}
}

export interface ClientOptions {
	/** The API's origin, e.g. https://pdf.example.com or http://localhost:8787. */
	baseUrl: string;
	apiKey: string;
	/** A fetch to use instead of globalThis.fetch (tests, proxies, service bindings). */
	fetch?: (request: Request) => Promise<Response>;
}

export interface WaitOptions {
	/** Time between reads, in ms (default 500). */
	intervalMs?: number;
	/** Give up after this long, in ms (default 120 000). */
	timeoutMs?: number;
	signal?: AbortSignal;
}

const TERMINAL: ReadonlySet<RenderStatus> = new Set(["succeeded", "failed", "canceled"]);

export function isTerminal(job: Render): boolean {
	return TERMINAL.has(job.status);
}

type ErrorAnswer = components["schemas"]["Error"] | undefined;

function failure(response: Response, answer: ErrorAnswer): EdgePdfError {
	const error = answer?.error;
	return new EdgePdfError(response.status, error?.code ?? "INTERNAL", error?.message ?? `HTTP ${response.status}`, error?.details);
}

/** The data of a successful answer, or an EdgePdfError carrying the API's code. */
function unwrap<T>(result: { data?: T; error?: ErrorAnswer; response: Response }): T {
	if (result.data !== undefined) return result.data;
	throw failure(result.response, result.error);
}

const sleep = (ms: number, signal?: AbortSignal) =>
	new Promise<void>((resolve, reject) => {
		const timer = setTimeout(resolve, ms);
		signal?.addEventListener(
			"abort",
			() => {
				clearTimeout(timer);
				reject(signal.reason);
			},
			{ once: true },
		);
	});

export function createClient({ baseUrl, apiKey, fetch: fetchImpl }: ClientOptions) {
	const doFetch = fetchImpl ?? ((request: Request) => globalThis.fetch(request));
	const api = createFetchClient<paths>({ baseUrl, headers: { authorization: `Bearer ${apiKey}` }, fetch: doFetch });

	const get = async (id: string): Promise<Render> => unwrap(await api.GET("/v1/renders/{id}", { params: { path: { id } } }));

	return {
		/** The underlying openapi-fetch client: every operation, typed. */
		api,

		/** Queues a render (async); answers the job, status `queued`. */
		async create(body: RenderRequest & { async?: true }, options: { idempotencyKey?: string } = {}): Promise<Render> {
			const headers = options.idempotencyKey === undefined ? {} : { "idempotency-key": options.idempotencyKey };
			const { data, error, response } = await api.POST("/v1/renders", { body, params: { header: headers } });
			// Only a synchronous render answers with PDF bytes; this method never asks for one.
			if (data !== undefined && typeof data === "object") return data;
			throw failure(response, error);
		},

		get,

		async list(query: RenderListQuery = {}): Promise<RenderList> {
			return unwrap(await api.GET("/v1/renders", { params: { query } }));
		},

		/** Cancels a queued or rendering job; for a finished one, deletes its document. */
		async cancel(id: string): Promise<Render> {
			return unwrap(await api.DELETE("/v1/renders/{id}", { params: { path: { id } } }));
		},

		/** Reads the job until it is succeeded, failed or canceled. */
		async waitUntilTerminal(id: string, { intervalMs = 500, timeoutMs = 120_000, signal }: WaitOptions = {}): Promise<Render> {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const job = await get(id);
				if (isTerminal(job)) return job;
				if (Date.now() + intervalMs > deadline) throw new Error(`render ${id} is still ${job.status} after ${timeoutMs} ms`);
				await sleep(intervalMs, signal);
			}
		},

		/** The PDF of a succeeded job, through its signed link (no API key is sent). */
		async download(job: Render): Promise<Uint8Array> {
			if (!job.document) throw new Error(`render ${job.id} has no document (status ${job.status})`);
			// Delivered to the caller's own storage without keepCopy: edge-pdf keeps no copy to download.
			if (!job.document.url) throw new Error(`render ${job.id} was delivered to its destination and keeps no copy (keepCopy: false)`);
			const res = await doFetch(new Request(new URL(job.document.url, baseUrl)));
			if (!res.ok) {
				throw failure(res, (await res.json().catch(() => undefined)) as ErrorAnswer);
			}
			return new Uint8Array(await res.arrayBuffer());
		},

		/** The tenant's `whsec_` secret, for verifyWebhook(). */
		async webhookSecret(): Promise<string> {
			return unwrap(await api.GET("/v1/webhooks/secret")).secret;
		},
	};
}

export type EdgePdfClient = ReturnType<typeof createClient>;

/**
 * Verifies a webhook delivery (Standard Webhooks signature and timestamp) and returns its event.
 * `body` must be the raw request body, unparsed. Throws when the signature does not match.
 */
export function verifyWebhook(secret: string, headers: Headers | Record<string, string>, body: string): WebhookEvent {
	const plain = headers instanceof Headers ? Object.fromEntries(headers) : Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
	return new Webhook(secret).verify(body, plain) as WebhookEvent;
}
