// Node side: runs in the vitest main process, started by global-setup.ts.
// A local HTTP server whose answers arrive late, for the readiness tests: images, data and fonts
// served after a delay the URL names, a request that is never answered (long polling), a missing
// image, and a page whose Content-Security-Policy forbids eval. Every answer allows any origin, as
// a CDN's would, so inline-HTML pages (an opaque origin) can fetch it.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, deflateSync } from "node:zlib";
import { listenLocal, type Listening } from "./listen";

import { LATE_IMAGE } from "../common/late-content";

/** The committed fixture face (DejaVu Sans Mono): not a proportional page's fallback, so finding it embedded means the page's @font-face was used. */
const LATE_FONT_FILE = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/fonts/DejaVuSansMono.ttf");

function chunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

/** A solid red RGB PNG. */
function redPng({ width, height }: { width: number; height: number }): Buffer {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.set([8, 2, 0, 0, 0], 8);
	const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, Buffer.from([255, 0, 0]))]);
	const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
	return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", header), chunk("IDAT", pixels), chunk("IEND", Buffer.alloc(0))]);
}

const PNG = redPng(LATE_IMAGE);
const TYPES: Record<string, string> = { png: "image/png", json: "application/json", ttf: "font/ttf", js: "text/javascript" };

function body(name: string): Buffer {
	const ext = name.split(".").pop() ?? "";
	if (ext === "png") return PNG;
	if (ext === "ttf") return readFileSync(LATE_FONT_FILE);
	if (ext === "json") return Buffer.from('{"ok":true}');
	return Buffer.from("");
}

function send(res: ServerResponse, status: number, type: string, content: Buffer | string, headers: Record<string, string> = {}): void {
	res.writeHead(status, { "content-type": type, "access-control-allow-origin": "*", "cache-control": "no-store", ...headers });
	res.end(content);
}

/**
 * A page allowed only its own scripts: no inline script, no eval. Its script records whether eval
 * was refused (window.evalRefused), then sets window.chartDone after 1.5 s.
 */
const CSP_PAGE = `<!doctype html><title>csp</title><p>CSP-PAGE</p><script src="/csp.js"></script>`;
const CSP_SCRIPT = `try { eval("1"); window.evalRefused = false; } catch { window.evalRefused = true; }
setTimeout(() => { document.body.insertAdjacentHTML("beforeend", "<p>CHART-DONE</p>"); window.chartDone = true; }, 1500);`;

function route(req: IncomingMessage, res: ServerResponse): void {
	const [, kind = "", ms = "0", name = ""] = new URL(req.url ?? "/", "http://x").pathname.split("/");
	switch (kind) {
		// /late/<ms>/<name>.<png|json|ttf>: the file, after <ms> milliseconds.
		case "late": {
			const timer = setTimeout(() => send(res, 200, TYPES[name.split(".").pop() ?? ""] ?? "application/octet-stream", body(name)), Number(ms));
			res.on("close", () => clearTimeout(timer));
			return;
		}
		// /hang: never answered (long polling); the connection ends when the page's context closes.
		case "hang":
			return;
		case "csp":
			send(res, 200, "text/html", CSP_PAGE, { "content-security-policy": "script-src 'self'" });
			return;
		case "csp.js":
			send(res, 200, "text/javascript", CSP_SCRIPT);
			return;
		default:
			send(res, 404, "text/plain", "not here");
	}
}

export function startLateServer(): Promise<Listening> {
	return listenLocal(createServer(route));
}
