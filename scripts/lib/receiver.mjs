// A Standard Webhooks receiver on 127.0.0.1 (a random free port) for load and smoke runs.
// Every request is verified with the `standardwebhooks` package unchanged —
// `new Webhook(secret).verify(rawBody, req.headers)` — and answered 204 when valid, 401 when not.
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
 *   method: string, path: string, arrivedAt: number, valid: boolean, error: string|null, bytes: number }} ReceivedEvent
 */

/**
 * @param {{ secret: string, host?: string, port?: number, path?: string, maxBodyBytes?: number }} options
 */
export async function startReceiver({ secret, host = "127.0.0.1", port = 0, path = "/hook", maxBodyBytes = 5 * 1024 * 1024 }) {
	const wh = new Webhook(secret);
	/** @type {ReceivedEvent[]} */
	const events = [];
	const waiters = new Set();
	const notify = () => {
		for (const w of waiters) w.check();
	};

	const server = createServer((req, res) => {
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
			let valid = false;
			let error = null;
			let payload = null;
			if (tooLarge) error = `body over ${maxBodyBytes} bytes`;
			else {
				try {
					payload = wh.verify(rawBody, req.headers);
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
			events.push({
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
				error: valid && (req.url ?? "").split("?")[0] !== path ? `unexpected path ${req.url}` : error,
				bytes: size,
			});
			res.writeHead(valid ? 204 : 401).end();
			notify();
		});
	});
	server.keepAliveTimeout = 5_000;
	await new Promise((resolve, reject) => {
		server.once("error", reject);
		server.listen(port, host, resolve);
	});
	const address = server.address();
	const origin = `http://${host}:${address.port}`;

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

	function close() {
		return new Promise((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections?.();
		});
	}

	const api = { origin, url: `${origin}${path}`, events, counts, eventsFor, waitFor, close, server };
	return api;
}
