// 405 with Allow for a method a path does not support. The allowed methods come from the app's own
// route table, so the header can never drift from the routes that exist.
import type { MiddlewareHandler } from "hono";
import { ApiError } from "./errors";
import type { AppEnv } from "./types";

interface RouteEntry {
	method: string;
	path: string;
}

const patterns = new Map<string, RegExp>();

/** Hono's route path as a regular expression: ":id" is one segment, "*" anything. */
function pattern(path: string): RegExp {
	let re = patterns.get(path);
	if (!re) {
		const source = path
			.split("/")
			.map((part) => (part.startsWith(":") ? "[^/]+" : part === "*" ? ".*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
			.join("/");
		re = new RegExp(`^${source}/?$`);
		patterns.set(path, re);
	}
	return re;
}

/** The methods some route serves at `path` (HEAD wherever GET is, as Hono answers it); empty if none. */
export function allowedMethods(routes: readonly RouteEntry[], path: string): string[] {
	const methods = new Set<string>();
	for (const route of routes) if (route.method !== "ALL" && pattern(route.path).test(path)) methods.add(route.method);
	if (methods.has("GET")) methods.add("HEAD");
	return [...methods].sort();
}

/** Answers 405 before auth or routing when the path exists but not for this method. */
export function methodGuard(routes: () => readonly RouteEntry[]): MiddlewareHandler<AppEnv> {
	return async (c, next) => {
		const allowed = allowedMethods(routes(), c.req.path);
		if (allowed.length > 0 && !allowed.includes(c.req.method)) {
			throw new ApiError(405, "METHOD_NOT_ALLOWED", `${c.req.method} is not supported on ${c.req.path}; use ${allowed.join(", ")}`, {
				headers: { Allow: allowed.join(", ") },
			});
		}
		await next();
	};
}
