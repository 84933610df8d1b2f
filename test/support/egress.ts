// Worker side of the egress tests: a fresh raw TCP listener per test, and what reached it.
import { inject } from "vitest";
import type { EgressConnection } from "./egress-listener";

/** Opens a listener on 127.0.0.1 that records every connection; returns its port. */
export async function openListener(): Promise<number> {
	const res = await fetch(`${inject("egressControl")}/listeners`, { method: "POST" });
	return ((await res.json()) as { port: number }).port;
}

export async function connections(port: number): Promise<EgressConnection[]> {
	return (await (await fetch(`${inject("egressControl")}/listeners/${port}`)).json()) as EgressConnection[];
}

/** A page on the control server's own origin that registers a service worker there. */
export function serviceWorkerPage(id: string): string {
	return `${inject("egressControl")}/sw-page/${id}`;
}

/** How often that page's service worker script was fetched. */
export async function serviceWorkerFetches(id: string): Promise<number> {
	return ((await (await fetch(`${inject("egressControl")}/sw-log/${id}`)).json()) as { fetched: number }).fetched;
}

/** A page on the control server's origin whose shared worker fetches from, and opens a WebSocket to, the listener on `port`. */
export function sharedWorkerPage(port: number): string {
	return `${inject("egressControl")}/shared-page/${port}`;
}
