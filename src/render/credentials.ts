// The caller's credentials for the page (page.headers, basicAuth, cookies without a domain) belong
// to the origin of `url` and to nothing else. Chrome's own mechanisms are wider: extra HTTP headers
// go with every request, page.authenticate() answers any origin's challenge, and a host-only cookie
// goes to every port of its host. So they are not used: each request to the target origin is given
// these headers as it passes request interception, and every other request (third-party
// subresources, redirect hops to other origins) leaves without them. Overridden headers do not
// follow a redirect: Chrome pauses the next hop as a new request, which is judged on its own URL.
import type { PageOptions } from "../schemas/render-request";

type Cookie = NonNullable<PageOptions["cookies"]>[number];

export interface CallerCredentials {
	/** The only origin that receives them. */
	origin: string;
	/** page.headers plus a preemptive `Authorization: Basic` for basicAuth (an explicit authorization header wins). */
	headers: Record<string, string>;
	/** Domain-less cookies: sent as a Cookie header, never put in the jar (which would share them across ports). */
	cookies: Cookie[];
}

function basicAuthorization(auth: NonNullable<PageOptions["basicAuth"]>): string {
	const bytes = new TextEncoder().encode(`${auth.username}:${auth.password}`);
	return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/** Credentials scoped to `url`'s origin, or null when there are none (or no url: an html job has no origin to send them to). */
export function scopeCredentials(url: string | null, page: PageOptions): CallerCredentials | null {
	const cookies = (page.cookies ?? []).filter((c) => !c.domain);
	const headers: Record<string, string> = { ...page.headers };
	const hasAuthorization = Object.keys(headers).some((name) => name.toLowerCase() === "authorization");
	if (page.basicAuth && !hasAuthorization) headers.authorization = basicAuthorization(page.basicAuth);
	if (!url || (cookies.length === 0 && Object.keys(headers).length === 0)) return null;
	return { origin: new URL(url).origin, headers, cookies };
}

/** Cookies with a domain were scoped by the caller: they go to Chrome's jar as they are. */
export function jarCookies(page: PageOptions): Cookie[] {
	return (page.cookies ?? []).filter((c) => c.domain);
}

/** RFC 6265 path-match: the cookie's path is the request path or a directory prefix of it. */
function pathMatches(cookiePath: string, requestPath: string): boolean {
	if (requestPath === cookiePath) return true;
	if (!requestPath.startsWith(cookiePath)) return false;
	return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}

function cookieApplies(cookie: Cookie, url: URL, nowSeconds: number): boolean {
	if (cookie.secure && url.protocol !== "https:") return false;
	if (cookie.expires !== undefined && cookie.expires > 0 && cookie.expires <= nowSeconds) return false;
	return pathMatches(cookie.path ?? "/", url.pathname);
}

/**
 * The headers to add to a request to `requestUrl`: all of the caller's for its origin, none for
 * any other. A Cookie header already on the request (never set by the page itself: Chrome adds the
 * jar's after interception) is kept in front of ours.
 */
export function credentialHeaders(requestUrl: string, credentials: CallerCredentials, existingCookie?: string): Record<string, string> | null {
	let url: URL;
	try {
		url = new URL(requestUrl);
	} catch {
		return null;
	}
	if (url.origin !== credentials.origin) return null;
	const headers = { ...credentials.headers };
	const pairs = credentials.cookies.filter((c) => cookieApplies(c, url, Date.now() / 1000)).map((c) => `${c.name}=${c.value}`);
	if (pairs.length > 0) headers.cookie = [existingCookie, ...pairs].filter(Boolean).join("; ");
	return headers;
}
