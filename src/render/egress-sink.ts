// The address policy's network layer, under everything egress.ts does per page. Each job's browser
// context has a proxy that does not exist (a closed port on the browser's own loopback), and only
// the names and address ranges the policy allows bypass it. So a connection to any host the policy
// refuses as written (a private, loopback, link-local or reserved address literal, localhost, a
// single-label name, a private suffix such as .internal) fails inside Chrome and never reaches the
// address, whichever part of Chrome opens it. Measured in Chromium 156, this closes what no CDP
// interception sees:
// - the socket Chrome preconnects when a navigation starts (meta refresh, `location`, an iframe's
//   src), before the navigation's request reaches interception;
// - speculation-rules prefetch and prerender, fetched by the browser process (Chrome also skips a
//   prefetch that would go through a proxy).
// Public traffic goes direct, and interception still checks each request. Names are matched as
// written, not resolved: one that resolves to a private address is the DNS limit in
// docs/security.md, as it is for interception.
import type { BrowserContextOptions } from "@cloudflare/puppeteer";
import { publicV4Cidrs, publicV6Cidrs } from "../security/public-ranges";
import { BLOCKED_SUFFIXES, type UrlPolicy } from "../security/url-policy";

/** Port 1 (tcpmux) on the browser's loopback: nothing listens there, so the connection fails at once. */
export const SINK_PROXY = "http://127.0.0.1:1";

const LETTERS = [..."abcdefghijklmnopqrstuvwxyz"];
const HOST_CHARS = [...LETTERS, ..."0123456789-_."];

/**
 * Glob patterns (Chrome's: "*" is any run of characters) for every host with a dot that ends in a
 * letter, except those ending in one of `refused`. An IP literal never ends in a letter; every
 * top-level domain does, punycode ones included (a punycode label always ends in a letter). Built
 * backwards from the last character: a character off every refused suffix closes a pattern, one on
 * a suffix goes a character further, a whole suffix emits nothing.
 */
export function namePatterns(refused: string[]): string[] {
	const patterns: string[] = [];
	const walk = (tail: string, alphabet: string[]) => {
		for (const c of alphabet) {
			const next = c + tail;
			const along = refused.filter((suffix) => suffix.endsWith(next));
			// A host needs a dot: the tail has one, or the pattern asks for one.
			if (along.length === 0) patterns.push(next.includes(".") ? `*${next}` : `*.*${next}`);
			else if (!along.includes(next)) {
				// The tail itself may be a whole host ("home.arpa" is not under ".home.arpa").
				if (next.includes(".") && !next.startsWith(".")) patterns.push(next);
				walk(next, HOST_CHARS);
			}
		}
	};
	walk("", LETTERS);
	// Each also with the root dot ("example.com."), rarely written: those go first. Chrome tries the
	// rules from the last one, so the shortest tails, which match the most hosts, go last.
	const broadestLast = [...patterns].sort((a, b) => b.length - a.length);
	return [...broadestLast.map((pattern) => `${pattern}.`), ...broadestLast];
}

/**
 * Chrome's bypass rules, tried from the last one, the first match deciding: `<-loopback>`, which
 * takes back Chrome's implicit bypass of localhost, *.localhost, 127.0.0.0/8, [::1] and link-local
 * 169.254.0.0/16 and [fe80::]/10 (measured: without it, an image from 169.254.x.x went direct);
 * then the policy's public names, broadest first; then its public address ranges, since pages name
 * hosts far more often than addresses. In this order a common name costs nothing measurable.
 */
function bypassList(): string[] {
	return [...publicV4Cidrs(), ...publicV6Cidrs(), ...namePatterns(BLOCKED_SUFFIXES), "<-loopback>"];
}

let rules: readonly string[] | undefined;

/** Options for a job's browser context: the sink, unless private networks are allowed (development, tests). */
export function contextOptions(policy: UrlPolicy): BrowserContextOptions {
	if (policy.allowPrivateNetwork) return {};
	rules ??= bypassList();
	return { proxyServer: SINK_PROXY, proxyBypassList: [...rules] };
}
