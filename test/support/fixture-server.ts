// A real HTTP server on 127.0.0.1 for the tests: pages to render, and a webhook receiver that
// verifies every delivery with the `standardwebhooks` package, unchanged, as a customer's would.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

type Route = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface ReceivedHook {
	method: string;
	headers: Record<string, string>;
	body: string;
	/** Whether `new Webhook(secret).verify(body, headers)` accepted it. */
	verified: boolean;
	verifyError: string | null;
	at: number;
}

const PAGES: Record<string, Route> = {
	"/hello": (_req, res) => {
		res.writeHead(200, { "content-type": "text/html" });
		res.end("<!doctype html><title>hello</title><h1>Hello from the fixture server</h1>");
	},
	"/redirect-to-metadata": (_req, res) => {
		res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" });
		res.end();
	},
	"/missing": (_req, res) => {
		res.writeHead(404, { "content-type": "text/html" });
		res.end("<h1>Not here</h1>");
	},
	"/echo-request": (req, res) => {
		res.writeHead(200, { "content-type": "text/html" });
		res.end(`<!doctype html><p>lang=${req.headers["accept-language"] ?? "none"}</p><p>ua=${req.headers["user-agent"]}</p><p>cookie=${req.headers.cookie ?? "none"}</p>`);
	},
	"/basic": (req, res) => {
		if (!req.headers.authorization) {
			res.writeHead(401, { "www-authenticate": 'Basic realm="fixture"' });
			res.end("locked");
			return;
		}
		const user = Buffer.from(req.headers.authorization.replace(/^Basic /, ""), "base64").toString();
		res.writeHead(200, { "content-type": "text/html" });
		res.end(`<!doctype html><p>auth=${user}</p>`);
	},
};

/** Receiver behaviours, by the n-th request (0-based) a token has received. */
const SCENARIOS: Record<string, (n: number) => { status: number; headers?: Record<string, string>; hang?: boolean; hold?: boolean }> = {
	ok: () => ({ status: 204 }),
	"fail-twice": (n) => ({ status: n < 2 ? 500 : 200 }),
	"always-500": () => ({ status: 500 }),
	gone: () => ({ status: 410 }),
	"rate-limited": (n) => (n === 0 ? { status: 429, headers: { "retry-after": "3" } } : { status: 200 }),
	// Retry-After as an HTTP date, 4 s ahead (the local schedule would retry after 1 s).
	"unavailable-date": (n) => (n === 0 ? { status: 503, headers: { "retry-after": new Date(Date.now() + 4000).toUTCString() } } : { status: 200 }),
	"hang-once": (n) => (n === 0 ? { status: 200, hang: true } : { status: 200 }),
	// The first request waits for the test's POST /__hooks/release/<token>, then answers 200.
	"hold-first": (n) => (n === 0 ? { status: 200, hold: true } : { status: 200 }),
	redirect: () => ({ status: 302, headers: { location: "/hello" } }),
};

const received = new Map<string, ReceivedHook[]>();
/** Requests that reached /probe/<token>/...: a blocked page request must never arrive. */
const probes = new Map<string, string[]>();

const probe: Route = (req, res) => {
	const [, , token = "", what = ""] = new URL(req.url ?? "/", "http://x").pathname.split("/");
	probes.set(token, [...(probes.get(token) ?? []), what]);
	res.writeHead(200, { "content-type": "text/html", "access-control-allow-origin": "*" });
	res.end("<!doctype html><p>PROBE-CONTENT</p>");
};
const secrets = new Map<string, string>();
/** Answers held back until the test releases them, by token. */
const held = new Map<string, Array<() => void>>();

function verify(token: string, headers: Record<string, string>, body: string): { verified: boolean; verifyError: string | null } {
	const secret = secrets.get(token);
	if (!secret) return { verified: false, verifyError: "no secret registered" };
	try {
		new Webhook(secret).verify(body, headers);
		return { verified: true, verifyError: null };
	} catch (err) {
		return { verified: false, verifyError: err instanceof Error ? err.message : String(err) };
	}
}

const hook: Route = (req, res, body) => {
	const [, , scenario = "", token = ""] = new URL(req.url ?? "/", "http://x").pathname.split("/");
	const behave = SCENARIOS[scenario];
	if (!behave) {
		res.writeHead(404);
		res.end();
		return;
	}
	const log = received.get(token) ?? [];
	received.set(token, log);
	const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
	const check = verify(token, headers, body);
	const answer = behave(log.length);
	log.push({ method: req.method ?? "", headers, body, at: Date.now(), ...check });
	if (answer.hang) return; // never answers; the sender's timeout must fire
	const respond = () => {
		if (!check.verified) {
			res.writeHead(401);
			res.end("bad signature");
			return;
		}
		res.writeHead(answer.status, answer.headers);
		res.end();
	};
	if (answer.hold) held.set(token, [...(held.get(token) ?? []), respond]);
	else respond();
};

/** Test-side control: register a token's secret, read what a token received. */
const control: Route = (req, res, body) => {
	const [, , action = "", token = ""] = new URL(req.url ?? "/", "http://x").pathname.split("/");
	if (action === "secret" && req.method === "POST") secrets.set(token, body);
	if (action === "release" && req.method === "POST") {
		for (const respond of held.get(token) ?? []) respond();
		held.delete(token);
	}
	res.writeHead(200, { "content-type": "application/json" });
	const answer = action === "received" ? (received.get(token) ?? []) : action === "probes" ? (probes.get(token) ?? []) : { ok: true };
	res.end(JSON.stringify(answer));
};

export async function startFixtureServer(): Promise<{ origin: string; close: () => Promise<void> }> {
	const server = createServer((req, res) => {
		let body = "";
		req.setEncoding("utf8");
		req.on("data", (chunk: string) => (body += chunk));
		req.on("end", () => {
			const path = new URL(req.url ?? "/", "http://x").pathname;
			const route = path.startsWith("/hook/") ? hook : path.startsWith("/probe/") ? probe : path.startsWith("/__hooks/") ? control : PAGES[path];
			if (route) route(req, res, body);
			else {
				res.writeHead(404);
				res.end();
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		origin: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

/** An origin on 127.0.0.1 that refuses connections: a port the OS handed out, then closed again. */
export async function closedOrigin(): Promise<string> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return `http://127.0.0.1:${port}`;
}
