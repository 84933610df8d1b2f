// Worker side, for the egress tests: a fresh raw TCP listener per test, and what reached it.
import type { Browser, Page } from "@cloudflare/puppeteer";
import { inject } from "vitest";
import type { EgressConnection } from "../common/servers";
import { serverJson } from "./server-json";

/** Opens a listener on 127.0.0.1 that records every connection; returns its port. */
export async function openListener(): Promise<number> {
	return (await serverJson<{ port: number }>(`${inject("egressControl")}/listeners`, { method: "POST" })).port;
}

export async function connections(port: number): Promise<EgressConnection[]> {
	return serverJson<EgressConnection[]>(`${inject("egressControl")}/listeners/${port}`);
}

/** A page on the control server's own origin that registers a service worker there, which fetches from the listener on `port`. */
export function serviceWorkerPage(port: number): string {
	return `${inject("egressControl")}/sw-page/${port}`;
}

/** How often the script of that page's service worker was fetched. */
export async function serviceWorkerFetches(port: number): Promise<number> {
	return (await serverJson<{ fetched: number }>(`${inject("egressControl")}/sw-log/${port}`)).fetched;
}

/** A page on the control server's origin whose shared worker fetches from, and opens a WebSocket to, the listener on `port`. */
export function sharedWorkerPage(port: number): string {
	return `${inject("egressControl")}/shared-page/${port}`;
}

/** A page on the control server's origin whose script opens WebSocketStream, WebTransport and RTCPeerConnection at start-up (socket-pages.ts). */
export function socketsPage(port: number): string {
	return `${inject("egressControl")}/sockets-page/${port}`;
}

/**
 * The positive control of a vector: `open` runs on a page of the real local browser with no egress
 * guard at all (no interception, lockdown or sink), in a fresh context closed afterwards, so a test
 * can show that what the guard stops would otherwise connect.
 */
export async function withUnguardedPage<T>(browser: Browser, open: (page: Page) => Promise<T>): Promise<T> {
	const context = await browser.createBrowserContext();
	try {
		return await open(await context.newPage());
	} finally {
		await context.close();
	}
}
