// Worker side: runs inside workerd, imported by the tests.
// Every way out a page has, as markup aimed at a port on 127.0.0.1, for the egress tests of both
// address policies. Service workers are not here: an html job's document has an opaque origin, from
// which Chrome refuses any registration before fetching anything, and a page on a real local origin
// is refused by the production policy before it loads; test/local/egress-allowed.test.ts renders
// one from a real origin instead.
import type { EgressConnection } from "../common/servers";

/** Each vector's markup, given the listener's port. */
export const VECTORS: Record<string, (port: number) => string> = {
	"WebSocket from the page": (p) => `<script>try { new WebSocket("ws://127.0.0.1:${p}/ws"); } catch {}</script>`,
	"WebSocket from a blob-URL worker": (p) => worker(`new WebSocket("ws://127.0.0.1:${p}/ws-worker")`),
	"WebSocket through a fresh about:blank iframe's constructor": (p) =>
		`<script>const f = document.createElement("iframe"); document.body.append(f); try { new f.contentWindow.WebSocket("ws://127.0.0.1:${p}/ws-iframe"); } catch {}</script>`,
	// The page gets a socket object either way: its prototype's constructor must not be a real one.
	"WebSocket through an instance's prototype constructor": (p) =>
		`<script>try { const Socket = Object.getPrototypeOf(new WebSocket("ws://127.0.0.1:${p}/ws-first")).constructor; new Socket("ws://127.0.0.1:${p}/ws-proto"); } catch {}</script>`,
	"WebSocketStream from the page": (p) => `<script>try { new WebSocketStream("ws://127.0.0.1:${p}/ws-stream"); } catch {}</script>`,
	"<link rel=prefetch>": (p) => `<link rel="prefetch" href="http://127.0.0.1:${p}/prefetch">`,
	"window.open(url)": (p) => `<script>window.open("http://127.0.0.1:${p}/popup");</script>`,
	"<a target=_blank>.click()": (p) => `<a id="a" target="_blank" href="http://127.0.0.1:${p}/link">x</a><script>document.getElementById("a").click();</script>`,
	"auto-submitted <form method=post target=_blank>": (p) =>
		`<form id="f" method="post" target="_blank" action="http://127.0.0.1:${p}/form"><input name="secret" value="1"></form><script>document.getElementById("f").submit();</script>`,
	"WebRTC turn:…?transport=tcp": (p) => rtc("window", p),
	"WebRTC through a fresh about:blank iframe's constructor": (p) =>
		`<script>const f = document.createElement("iframe"); document.body.append(f); window.RTCPeerConnection = f.contentWindow.RTCPeerConnection;</script>${rtc("window", p)}`,
	"WebRTC through an instance's prototype constructor": (p) =>
		`<script>try { window.RTCPeerConnection = Object.getPrototypeOf(new RTCPeerConnection()).constructor; } catch {}</script>${rtc("window", p)}`,
	"a worker's importScripts(url)": (p) => worker(`try { importScripts("http://127.0.0.1:${p}/imported.js"); } catch {}`),
	"fetch from a blob-URL worker": (p) => worker(`fetch("http://127.0.0.1:${p}/worker-fetch").catch(() => {})`),
	SharedWorker: (p) =>
		`<script>try { new SharedWorker(URL.createObjectURL(new Blob(['fetch("http://127.0.0.1:${p}/shared").catch(() => {}); try { new WebSocket("ws://127.0.0.1:${p}/shared-ws"); } catch {}']))); } catch {}</script>`,
	EventSource: (p) => `<script>try { new EventSource("http://127.0.0.1:${p}/events"); } catch {}</script>`,
	"sendBeacon, also on pagehide": (p) =>
		`<script>navigator.sendBeacon("http://127.0.0.1:${p}/beacon", "x"); addEventListener("pagehide", () => navigator.sendBeacon("http://127.0.0.1:${p}/beacon-hide", "x"));</script>`,
	"CSS background, @font-face and stylesheet": (p) =>
		`<style>@font-face { font-family: F; src: url(http://127.0.0.1:${p}/font.woff2); } p { font-family: F; background: url(http://127.0.0.1:${p}/bg.png); }</style><link rel="stylesheet" href="http://127.0.0.1:${p}/style.css">`,
	// Navigations: Chrome preconnects to the target when one starts, before interception sees it.
	"meta refresh": (p) => `<meta http-equiv="refresh" content="0; url=http://127.0.0.1:${p}/refresh">`,
	"meta refresh to a *.localhost name": (p) => `<meta http-equiv="refresh" content="0; url=http://egress.localhost:${p}/refresh-name">`,
	"location.href": (p) => `<script>location.href = "http://127.0.0.1:${p}/location";</script>`,
	"an iframe's src": (p) => `<iframe src="http://127.0.0.1:${p}/frame"></iframe>`,
	"a form POST in the same frame": (p) =>
		`<form id="f" method="post" action="http://127.0.0.1:${p}/self-form"><input name="secret" value="1"></form><script>document.getElementById("f").submit();</script>`,
	"meta refresh inside an iframe's srcdoc": (p) =>
		`<iframe srcdoc='<meta http-equiv="refresh" content="0; url=http://127.0.0.1:${p}/srcdoc-refresh">'></iframe>`,
	"<object data>, <svg><image> and CSS @import": (p) =>
		`<style>@import url(http://127.0.0.1:${p}/import.css);</style><object data="http://127.0.0.1:${p}/object"></object><svg><image href="http://127.0.0.1:${p}/svg.png"/></svg>`,
	// Fetched by the browser process, outside every page's interception.
	"speculation rules prefetch": (p) => speculation("prefetch", `http://127.0.0.1:${p}/prefetch-rule`),
	"speculation rules prerender": (p) => speculation("prerender", `http://127.0.0.1:${p}/prerender-rule`),
};

function speculation(action: "prefetch" | "prerender", url: string): string {
	return `<script type="speculationrules">${JSON.stringify({ [action]: [{ source: "list", urls: [url] }] })}</script>`;
}

function worker(body: string): string {
	return `<script>try { new Worker(URL.createObjectURL(new Blob([${JSON.stringify(body)}]))); } catch {}</script>`;
}

function rtc(scope: string, port: number): string {
	const config = JSON.stringify({
		iceServers: [{ urls: `turn:127.0.0.1:${port}?transport=tcp`, username: "u", credential: "p" }],
		iceTransportPolicy: "relay",
	});
	return `<script>try { const pc = new ${scope}.RTCPeerConnection(${config}); pc.createDataChannel("d"); pc.createOffer().then((o) => pc.setLocalDescription(o)); } catch {}</script>`;
}

/**
 * Switched off whatever the address policy: these never reach even an allowed address. The page
 * still gets a WebSocket, WebSocketStream or RTCPeerConnection (stand-ins that fail like a refused
 * connection, lockdown.ts), so what is checked is that no connection arrives, not that a name is missing. The others
 * follow the policy, so with private networks allowed they do reach the listener, which shows each
 * vector is real.
 */
export const SWITCHED_OFF = new Set([
	"WebSocket from the page",
	"WebSocket from a blob-URL worker",
	"WebSocket through a fresh about:blank iframe's constructor",
	"WebSocket through an instance's prototype constructor",
	"WebSocketStream from the page",
	"window.open(url)",
	"<a target=_blank>.click()",
	"auto-submitted <form method=post target=_blank>",
	"WebRTC turn:…?transport=tcp",
	"WebRTC through a fresh about:blank iframe's constructor",
	"WebRTC through an instance's prototype constructor",
]);

/**
 * What each vector sends when nothing stops it, one entry per part: the request line's method and
 * path as the listener records it, or "binary" for bytes that are not HTTP (TURN). A vector with
 * several parts reaches the listener only when every part does. Measured in the real browser with
 * no guard at all (egress-allowed.test.ts keeps that as the positive control).
 */
const PARTS: Record<string, string[]> = {
	"WebSocket from the page": ["GET /ws"],
	"WebSocket from a blob-URL worker": ["GET /ws-worker"],
	"WebSocket through a fresh about:blank iframe's constructor": ["GET /ws-iframe"],
	"WebSocket through an instance's prototype constructor": ["GET /ws-first", "GET /ws-proto"],
	"WebSocketStream from the page": ["GET /ws-stream"],
	"<link rel=prefetch>": ["GET /prefetch"],
	"window.open(url)": ["GET /popup"],
	"<a target=_blank>.click()": ["GET /link"],
	"auto-submitted <form method=post target=_blank>": ["POST /form"],
	"WebRTC turn:…?transport=tcp": ["binary"],
	"WebRTC through a fresh about:blank iframe's constructor": ["binary"],
	"WebRTC through an instance's prototype constructor": ["binary"],
	"a worker's importScripts(url)": ["GET /imported.js"],
	"fetch from a blob-URL worker": ["GET /worker-fetch"],
	EventSource: ["GET /events"],
	"sendBeacon, also on pagehide": ["POST /beacon", "POST /beacon-hide"],
	"CSS background, @font-face and stylesheet": ["GET /font.woff2", "GET /bg.png", "GET /style.css"],
	"meta refresh": ["GET /refresh"],
	"meta refresh to a *.localhost name": ["GET /refresh-name"],
	"location.href": ["GET /location"],
	"an iframe's src": ["GET /frame"],
	"a form POST in the same frame": ["POST /self-form"],
	"meta refresh inside an iframe's srcdoc": ["GET /srcdoc-refresh"],
	"<object data>, <svg><image> and CSS @import": ["GET /import.css", "GET /object", "GET /svg.png"],
	"speculation rules prefetch": ["GET /prefetch-rule"],
	"speculation rules prerender": ["GET /prerender-rule"],
};

/** The parts of vector `name` (by its PARTS entry) of which no connection in `reached` is a trace. */
export function missingParts(name: string, reached: EgressConnection[]): string[] {
	const parts = PARTS[name];
	if (!parts) throw new Error(`no parts listed for vector ${name}`);
	return missingOf(parts, reached);
}

/** The parts (as in PARTS) of which no connection in `reached` is a trace. */
export function missingOf(parts: string[], reached: EgressConnection[]): string[] {
	const seen = (part: string) => reached.some((c) => (part === "binary" ? c.first.startsWith("binary:") : c.first.startsWith(`${part} HTTP/`)));
	return parts.filter((part) => !seen(part));
}

/**
 * Refused by Chrome itself for an html job: its document has an opaque origin, and shared workers
 * are denied to it (measured). Kept so a change there shows up in both projects.
 */
export const REFUSED_FOR_OPAQUE_ORIGINS = new Set(["SharedWorker"]);

/** Navigate the page away when allowed: with private networks allowed, the PDF shows where it went. */
export const NAVIGATES_AWAY = new Set(["meta refresh", "meta refresh to a *.localhost name", "location.href", "a form POST in the same frame"]);

/** A page with a visible marker and the vector's markup. */
export function vectorPage(name: string, port: number): string {
	const markup = VECTORS[name];
	if (!markup) throw new Error(`no vector ${name}`);
	return `<!doctype html><p>VISIBLE-TEXT</p>${markup(port)}`;
}
