// A real HTTP server on 127.0.0.1 for the tests: pages to render, and a log of every hit.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Route = (req: IncomingMessage, res: ServerResponse) => void;

const PAGES: Record<string, Route> = {
	"/hello": (_req, res) => {
		res.writeHead(200, { "content-type": "text/html" });
		res.end("<!doctype html><title>hello</title><h1>Hello from the fixture server</h1>");
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

export async function startFixtureServer(): Promise<{ origin: string; close: () => Promise<void> }> {
	const server = createServer((req, res) => {
		const path = new URL(req.url ?? "/", "http://x").pathname;
		const route = PAGES[path];
		if (route) route(req, res);
		else {
			res.writeHead(404);
			res.end();
		}
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
