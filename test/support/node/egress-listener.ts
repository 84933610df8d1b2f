// Node side (global setup): raw TCP listeners on 127.0.0.1 that count every connection, whatever
// the protocol (HTTP, WebSocket upgrade, TURN/STUN bytes, or a bare connect), and a small HTTP
// control server through which a test opens a fresh listener and reads what reached it.
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { type Listening, listenLocal, listenPort } from "./listen";
import type { EgressConnection } from "../common/servers";
import { otherSocketsPage } from "../common/socket-pages";

function describe(data: Buffer): string {
	const text = data.toString("latin1");
	return /^[A-Z]+ \S+ HTTP\/1\.[01]\r?\n/.test(text) ? (text.split(/\r?\n/)[0] ?? "") : `binary:${data.length}`;
}

/** Starts the control server; each POST /listeners opens a counting listener and answers its port. */
export async function startEgressControl(): Promise<Listening> {
	const listeners = new Map<number, { server: Server; connections: EgressConnection[]; sockets: Set<Socket> }>();
	const open = async (): Promise<number> => {
		const connections: EgressConnection[] = [];
		const sockets = new Set<Socket>();
		const server = createServer((socket) => {
			const record: EgressConnection = { first: "" };
			connections.push(record);
			sockets.add(socket);
			socket.once("data", (data: Buffer) => (record.first = describe(data)));
			socket.on("error", () => undefined);
			socket.on("close", () => sockets.delete(socket));
			// Never answers: whatever got this far has already left the browser.
			socket.setTimeout(2_000, () => socket.destroy());
		});
		const port = await listenPort(server);
		listeners.set(port, { server, connections, sockets });
		return port;
	};
	const workerScripts = new Map<string, number>();
	const control = createHttpServer((req, res) => {
		void (async () => {
			const [, what = "", port = ""] = new URL(req.url ?? "/", "http://x").pathname.split("/");
			// A page on a real origin that registers a service worker from it, which fetches from the
			// listener on `port` once installed; the log says whether its script was fetched.
			if (what === "sw-page") {
				res.setHeader("content-type", "text/html");
				return res.end(`<!doctype html><p>VISIBLE-TEXT</p><script>navigator.serviceWorker.register("/sw-script/${port}").catch(() => {});</script>`);
			}
			// A shared worker needs a real origin too: it fetches (allowed here) and tries a WebSocket (never connects).
			if (what === "shared-page") {
				res.setHeader("content-type", "text/html");
				return res.end(`<!doctype html><p>VISIBLE-TEXT</p><script>new SharedWorker("/shared-script/${port}");</script>`);
			}
			// Sockets opened at start-up by a page on a real origin: a secure context (127.0.0.1), so WebTransport exists there.
			if (what === "sockets-page") {
				res.setHeader("content-type", "text/html");
				return res.end(otherSocketsPage(Number(port)));
			}
			if (what === "shared-script") {
				res.setHeader("content-type", "text/javascript");
				return res.end(`fetch("http://127.0.0.1:${port}/shared-fetch").catch(() => {}); try { new WebSocket("ws://127.0.0.1:${port}/shared-ws"); } catch {}`);
			}
			if (what === "sw-script") {
				workerScripts.set(port, (workerScripts.get(port) ?? 0) + 1);
				res.setHeader("content-type", "text/javascript");
				return res.end(`self.addEventListener("install", (e) => e.waitUntil(fetch("http://127.0.0.1:${port}/sw-fetch").catch(() => {})));`);
			}
			res.setHeader("content-type", "application/json");
			if (what === "sw-log") return res.end(JSON.stringify({ fetched: workerScripts.get(port) ?? 0 }));
			if (what === "listeners" && req.method === "POST") return res.end(JSON.stringify({ port: await open() }));
			const listener = listeners.get(Number(port));
			if (what === "listeners" && listener) return res.end(JSON.stringify(listener.connections));
			res.statusCode = 404;
			res.end("{}");
		})();
	});
	const listening = await listenLocal(control);
	return {
		origin: listening.origin,
		close: async () => {
			for (const { server, sockets } of listeners.values()) {
				for (const socket of sockets) socket.destroy();
				server.close();
			}
			await listening.close();
		},
	};
}
