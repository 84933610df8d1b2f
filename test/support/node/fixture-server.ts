// Node side: runs in the vitest main process, started by global-setup.ts.
// A real HTTP server on 127.0.0.1 for the tests: pages to render, and webhook receivers that verify
// every delivery with the `standardwebhooks` package, unchanged, as a customer's would. The receiver
// is scripts/lib/receiver.mjs's, the one the load and bench runs use; here one per token.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { connect } from "node:net";
import { receiverHandler, type Answer, type ReceiverHandler } from "../../../scripts/lib/receiver.mjs";
import { type Listening, listenLocal } from "./listen";

type Route = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const PAGES: Record<string, Route> = {
	"/hello": (_req, res) => {
		res.writeHead(200, { "content-type": "text/html" });
		res.end("<!doctype html><title>hello</title><h1>Hello from the fixture server</h1>");
	},
	"/redirect-to-metadata": (_req, res) => {
		res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" });
		res.end();
	},
	// The render report's end-to-end page: a 404 image, a refused request, a console error, a page error.
	"/report-page": (_req, res) => {
		res.writeHead(200, { "content-type": "text/html" });
		res.end(`<!doctype html><title>report</title>
			<img src="/missing?token=s3cret-a" width="10" height="10">
			<img src="http://10.0.0.5/x?key=s3cret-b" width="10" height="10">
			<script>console.error("boom at https://api.example.com/v1?apikey=s3cret-c"); notDefined();</script>`);
	},
	"/missing": (_req, res) => {
		res.writeHead(404, { "content-type": "text/html" });
		res.end("<h1>Not here</h1>");
	},
	"/echo-request": (req, res) => {
		res.writeHead(200, { "content-type": "text/html" });
		res.end(
			`<!doctype html><p>lang=${req.headers["accept-language"] ?? "none"}</p><p>ua=${req.headers["user-agent"]}</p><p>cookie=${req.headers.cookie ?? "none"}</p>`,
		);
	},
	// Text in the font family the query names (tenant-font tests); the name is kept to the family alphabet.
	"/font-page": (req, res) => {
		const family = (new URL(req.url ?? "/", "http://x").searchParams.get("family") ?? "").replace(/[^A-Za-z0-9 _-]/g, "");
		res.writeHead(200, { "content-type": "text/html" });
		res.end(`<!doctype html><title>font page</title><p style="font-family: '${family}', serif; font-size: 24px">FONT PAGE</p>`);
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
const SCENARIOS: Record<string, (n: number) => Answer> = {
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
	// Like fail-twice, but the first answer (500) also waits for the release.
	"hold-fail-twice": (n) => (n === 0 ? { status: 500, hold: true } : { status: n < 2 ? 500 : 200 }),
	redirect: () => ({ status: 302, headers: { location: "/hello" } }),
};

/** Requests that reached /probe/<token>/...: a blocked page request must never arrive. */
const probes = new Map<string, string[]>();

const probe: Route = (req, res) => {
	const [, , token = "", what = ""] = new URL(req.url ?? "/", "http://x").pathname.split("/");
	probes.set(token, [...(probes.get(token) ?? []), what]);
	res.writeHead(200, { "content-type": "text/html", "access-control-allow-origin": "*" });
	res.end("<!doctype html><p>PROBE-CONTENT</p>");
};

/** A receiver per token, made when the test registers the token's secret. */
const receivers = new Map<string, ReceiverHandler>();

/** The n-th segment of a request's path: /hook/<scenario>/<token>, /__hooks/<action>/<token>. */
const segment = (req: IncomingMessage, n: number) => new URL(req.url ?? "/", "http://x").pathname.split("/")[n] ?? "";

/** /hook/<scenario>/<token>: the token's receiver verifies and records, the scenario answers. */
function hook(req: IncomingMessage, res: ServerResponse): void {
	const receiver = receivers.get(segment(req, 3));
	if (!SCENARIOS[segment(req, 2)] || !receiver) {
		req.resume();
		res.writeHead(404).end();
		return;
	}
	receiver.handle(req, res);
}

/** Test-side control: register a token's secret, read what a token received. */
const control: Route = (req, res, body) => {
	const [, , action = "", token = ""] = new URL(req.url ?? "/", "http://x").pathname.split("/");
	if (action === "secret" && req.method === "POST") {
		receivers.set(token, receiverHandler({ secret: body, path: null, answer: (event, r) => SCENARIOS[segment(r, 2)]?.(event.seq) ?? { status: 404 } }));
	}
	if (action === "release" && req.method === "POST") receivers.get(token)?.release();
	res.writeHead(200, { "content-type": "application/json" });
	const answer = action === "received" ? (receivers.get(token)?.events ?? []) : action === "probes" ? (probes.get(token) ?? []) : { ok: true };
	res.end(JSON.stringify(answer));
};

export async function startFixtureServer(): Promise<Listening> {
	const server = createServer((req, res) => {
		// The receiver reads the body itself.
		if (new URL(req.url ?? "/", "http://x").pathname.startsWith("/hook/")) return hook(req, res);
		let body = "";
		req.setEncoding("utf8");
		req.on("data", (chunk: string) => (body += chunk));
		req.on("end", () => {
			const path = new URL(req.url ?? "/", "http://x").pathname;
			const route = path.startsWith("/probe/") ? probe : path.startsWith("/__hooks/") ? control : PAGES[path];
			if (route) route(req, res, body);
			else {
				res.writeHead(404);
				res.end();
			}
		});
	});
	return listenLocal(server);
}

/**
 * An origin on 127.0.0.1 that refuses connections: a privileged port nothing here listens on. Not a
 * port the OS handed out and closed again: every test server listens on port 0, so such a port is
 * soon handed to another server, and the "refused" origin starts answering.
 */
export async function closedOrigin(): Promise<string> {
	// Not port 1 and the like: Chrome refuses its "unsafe" ports itself, before connecting.
	for (const port of [2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 18]) {
		if (await refuses(port)) return `http://127.0.0.1:${port}`;
	}
	throw new Error("no closed low port on 127.0.0.1");
}

function refuses(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect({ host: "127.0.0.1", port });
		socket.once("connect", () => {
			socket.destroy();
			resolve(false);
		});
		socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED"));
	});
}
