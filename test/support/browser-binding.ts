// Stand-ins for the BROWSER binding that answer some calls themselves and pass the rest to the
// real local Browser Rendering, to fail (or list sessions) the way the platform would.
export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** A BROWSER binding whose every call goes through `fetch`. */
export function browserBinding(fetch: FetchLike): Env["BROWSER"] {
	return { fetch } as unknown as Env["BROWSER"];
}

/** The path a binding call asks for: /v1/sessions, /v1/devtools/browser[/<session>], … */
export function requestPath(input: RequestInfo | URL): string {
	return new URL(input instanceof Request ? input.url : String(input)).pathname;
}
