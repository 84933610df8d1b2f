// A Standard Webhooks receiver on 127.0.0.1 (a random free port) for load and smoke runs, and the
// handler behind the test suite's receiver (test/support/node/fixture-server.ts). Every request is
// verified with the `standardwebhooks` package unchanged — `new Webhook(secret).verify(rawBody,
// req.headers)` — and answered 204 (or as told) when valid, 401 when not.
//
//   const secret = await fetchWebhookSecret(origin, apiKey);
//   const rx = await startReceiver({ secret });
//   ... webhook: { url: rx.url } ...
//   await rx.waitFor((r) => r.counts().valid >= 10, { timeoutMs: 60_000 });
//   await rx.close();
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

/** GET /v1/webhooks/secret with the API key → "whsec_…". */
export async function fetchWebhookSecret(origin, apiKey) {
	const res = await fetch(`${origin}/v1/webhooks/secret`, { headers: { authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(10_000) });
	const text = await res.text();
	if (res.status !== 200) throw new Error(`GET /v1/webhooks/secret answered ${res.status}: ${text.slice(0, 300)}`);
	const { secret } = JSON.parse(text);
	if (typeof secret !== "string" || !secret.startsWith("whsec_")) throw new Error(`GET /v1/webhooks/secret: unexpected body ${text.slice(0, 300)}`);
	return secret;
}

/**
 * @typedef {{ seq: number, webhookId: string|null, jobId: string|null, type: string|null, status: string|null, documentUrl: string|null,
 *   method: string, path: string, arrivedAt: number, valid: boolean, error: string|null, bytes: number,
 *   headers: Record<string, string>, body: string }} ReceivedEvent
 * @typedef {{ status: number, headers?: Record<string, string>, hang?: boolean, hold?: boolean }} Answer
 */

/**
 * The receiver's request handler, without a server: verifies, records and answers each request.
 * Shared by startReceiver (load and bench runs) and the test suite's fixture server.
 *
 * @param {{ secret?: string, secretFor?: (req: import("node:http").IncomingMessage) => string | null,
 *   answer?: (event: ReceivedEvent, req: import("node:http").IncomingMessage) => Answer, path?: string | null, maxBodyBytes?: number }} options
 *   `secretFor` picks the secret per request (default: `secret`); `answer` decides the reply to a
 *   verified request (default 204; `hang`: never answer; `hold`: answer on `release()`); `path`
 *   (default "/hook"): any other path is recorded as an error; null accepts every path.
 */
export function receiverHandler({
	secret,
	secretFor = () => secret ?? null,
	answer = () => ({ status: 204 }),
	path = "/hook",
	maxBodyBytes = 5 * 1024 * 1024,
}) {
	/** @type {ReceivedEvent[]} */
	const events = [];
	const waiters = new Set();
	/** @type {Array<() => void>} */
	let held = [];
	const notify = () => {
		for (const w of waiters) w.check();
	};

	/** @param {import("node:http").IncomingMessage} req @param {import("node:http").ServerResponse} res */
	function handle(req, res) {
		const chunks = [];
		let size = 0;
		let tooLarge = false;
		req.on("data", (chunk) => {
			size += chunk.length;
			if (size > maxBodyBytes) tooLarge = true;
			else chunks.push(chunk);
		});
		req.on("error", () => {});
		req.on("end", () => {
			const arrivedAt = Date.now();
			const rawBody = Buffer.concat(chunks).toString("utf8");
			const key = secretFor(req);
			let valid = false;
			let error = null;
			let payload = null;
			if (tooLarge) error = `body over ${maxBodyBytes} bytes`;
			else if (!key) error = "no secret for this request";
			else {
				try {
					payload = new Webhook(key).verify(rawBody, req.headers);
					valid = true;
				} catch (e) {
					error = e instanceof Error ? e.message : String(e);
				}
			}
			if (!valid) {
				// For the record only: what the unverified body claims.
				try {
					payload = JSON.parse(rawBody);
				} catch {
					payload = null;
				}
			}
			const header = (name) => (typeof req.headers[name] === "string" ? req.headers[name] : null);
			const unexpectedPath = path !== null && (req.url ?? "").split("?")[0] !== path;
			/** @type {ReceivedEvent} */
			const event = {
				seq: events.length,
				webhookId: header("webhook-id"),
				jobId: typeof payload?.data?.id === "string" ? payload.data.id : null,
				type: typeof payload?.type === "string" ? payload.type : null,
				status: typeof payload?.data?.status === "string" ? payload.data.status : null,
				documentUrl: typeof payload?.data?.document?.url === "string" ? payload.data.document.url : null,
				method: req.method ?? "",
				path: req.url ?? "",
				arrivedAt,
				valid,
				error: valid && unexpectedPath ? `unexpected path ${req.url}` : error,
				bytes: size,
				headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
				body: tooLarge ? "" : rawBody,
			};
			events.push(event);
			notify();
			if (!valid) {
				res.writeHead(401).end("bad signature");
				return;
			}
			const reply = answer(event, req);
			if (reply.hang) return; // never answers: the sender's timeout must fire
			const send = () => res.writeHead(reply.status, reply.headers).end();
			if (reply.hold) held.push(send);
			else send();
		});
	}

	/** Counts over everything received so far. */
	function counts() {
		const valid = events.filter((e) => e.valid);
		const perId = new Map();
		for (const e of valid) perId.set(e.webhookId, (perId.get(e.webhookId) ?? 0) + 1);
		const perJob = new Map();
		for (const e of valid) perJob.set(e.jobId, (perJob.get(e.jobId) ?? 0) + 1);
		return {
			received: events.length,
			valid: valid.length,
			invalid: events.length - valid.length,
			distinctIds: perId.size,
			duplicates: valid.length - perId.size, // the same webhook-id arriving again
			jobs: perJob.size,
		};
	}

	/** Valid events of one job, in arrival order. */
	const eventsFor = (jobId) => events.filter((e) => e.valid && e.jobId === jobId);

	/** Sends the answers held back so far. */
	function release() {
		const sends = held;
		held = [];
		for (const send of sends) send();
	}

	/**
	 * Resolves true as soon as predicate(receiver) holds (checked on every arrival and every
	 * intervalMs), false when timeoutMs passes first. Never rejects.
	 */
	function waitFor(predicate, { timeoutMs = 60_000, intervalMs = 1_000 } = {}) {
		return new Promise((resolve) => {
			const waiter = {
				check() {
					let ok = false;
					try {
						ok = Boolean(predicate(api));
					} catch {}
					if (ok) done(true);
				},
			};
			const timer = setInterval(() => waiter.check(), intervalMs);
			const timeout = setTimeout(() => done(false), timeoutMs);
			function done(result) {
				clearInterval(timer);
				clearTimeout(timeout);
				waiters.delete(waiter);
				resolve(result);
			}
			waiters.add(waiter);
			waiter.check();
		});
	}

	const api = { handle, events, counts, eventsFor, waitFor, release };
	return api;
}

/**
 * A receiver with a server of its own on 127.0.0.1 (a random free port unless `port` is given).
 * @param {{ secret: string, host?: string, port?: number, path?: string, maxBodyBytes?: number }} options
 */
export async function startReceiver({ secret, host = "127.0.0.1", port = 0, path = "/hook", maxBodyBytes = 5 * 1024 * 1024 }) {
	const handler = receiverHandler({ secret, path, maxBodyBytes });
	const server = createServer(handler.handle);
	server.keepAliveTimeout = 5_000;
	await new Promise((resolve, reject) => {
		server.once("error", reject);
		server.listen(port, host, resolve);
	});
	const address = server.address();
	const origin = `http://${host}:${address.port}`;

	function close() {
		return new Promise((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections?.();
		});
	}

	return Object.assign(handler, { origin, url: `${origin}${path}`, close, server });
}
