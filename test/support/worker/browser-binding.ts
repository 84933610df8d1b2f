// Worker side: runs inside workerd, imported by the tests.
// Stand-ins for the BROWSER binding that answer some calls themselves and pass the rest to the
// real local Browser Rendering, to fail (or list sessions) the way the platform would.
import { env } from "cloudflare:workers";

export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** A BROWSER binding whose every call goes through `fetch`. */
export function browserBinding(fetch: FetchLike): Env["BROWSER"] {
	return { fetch } as unknown as Env["BROWSER"];
}

/** The path a binding call asks for: /v1/sessions, /v1/devtools/browser[/<session>], … */
export function requestPath(input: RequestInfo | URL): string {
	return new URL(input instanceof Request ? input.url : String(input)).pathname;
}

/** What a relay does with one DevTools message: pass it on (possibly rewritten) or drop the connection. */
export type RelayStep = { pass: string } | { drop: true };

export interface Relay {
	/** Commands from puppeteer to the browser. */
	toBrowser?: (message: string) => RelayStep;
	/** Events and answers from the browser to puppeteer. */
	fromBrowser?: (message: string) => RelayStep;
}

/**
 * The real local Browser Rendering behind a relay on every DevTools connection: the test sees (and
 * may rewrite or cut) each message, as a network between the Worker and the browser could.
 */
export function relayedBrowser(relay: Relay): Env["BROWSER"] {
	const fetch: FetchLike = async (input, init) => {
		const response = await env.BROWSER.fetch(input, init);
		const upstream = response.webSocket;
		if (!upstream) return response;
		const { 0: client, 1: near } = new WebSocketPair();
		upstream.accept();
		near.accept();
		const pipe = (from: WebSocket, to: WebSocket, step: Relay["toBrowser"]) =>
			from.addEventListener("message", (event) => {
				const result = step ? step(String(event.data)) : { pass: String(event.data) };
				if ("drop" in result) {
					near.close(1011, "session died");
					upstream.close(1011, "session died");
				} else to.send(result.pass);
			});
		pipe(upstream, near, relay.fromBrowser);
		pipe(near, upstream, relay.toBrowser);
		const closeQuietly = (ws: WebSocket) => () => {
			try {
				ws.close(1000, "closed");
			} catch {
				// already closed
			}
		};
		upstream.addEventListener("close", closeQuietly(near));
		near.addEventListener("close", closeQuietly(upstream));
		return new Response(null, { status: 101, webSocket: client });
	};
	return browserBinding(fetch);
}

/**
 * The real browser, reached through a relay that makes `aliasUrl` stand for `localUrl`: the browser
 * goes to the local server while the Worker, and so the address policy, sees only the alias. With
 * `publicAddress`, the alias is a public address, so the egress sink lets the local server through
 * as it would a public one (one more bypass rule after "<-loopback>"; the last rule wins); without
 * it, the sink treats the local server as the private address it stands for.
 */
export function aliasedBrowser(aliasUrl: string, localUrl: string, { publicAddress = false } = {}): Env["BROWSER"] {
	const local = new URL(localUrl).hostname;
	// The renderer-side blocklist (renderer-blocklist.ts) would still refuse the loopback address the
	// alias stands for: a public alias drops its 127.* patterns too.
	const bypass = (message: string) =>
		publicAddress ? message.replace("<-loopback>", `<-loopback>,${local}`).replace(/"\*(?::\/\/|@)127\.\*",?/g, "") : message;
	return relayedBrowser({
		toBrowser: (message) => ({ pass: bypass(message.replaceAll(aliasUrl, localUrl)) }),
		fromBrowser: (message) => ({ pass: message.replaceAll(localUrl, aliasUrl) }),
	});
}
