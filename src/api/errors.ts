// One error shape for every failure: { error: { code, message, details? } }, never HTML or a stack.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { logError } from "../log";
import { redactText } from "../security/redact";
import type { ErrorBody, ErrorCode, ErrorDetail } from "../schemas/error";
import type { ResponseHeaderValues } from "../schemas/headers";

/** What an error may carry beside its message: the fields at fault, and response headers (Retry-After, Allow…). */
export interface ApiErrorOptions {
	details?: ErrorDetail[];
	headers?: ResponseHeaderValues;
}

export class ApiError extends Error {
	readonly details?: ErrorDetail[];
	readonly headers?: ResponseHeaderValues;

	constructor(
		readonly status: ContentfulStatusCode,
		readonly code: ErrorCode,
		message: string,
		{ details, headers }: ApiErrorOptions = {},
	) {
		super(message);
		this.details = details;
		this.headers = headers;
	}
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
	400: "INVALID_REQUEST",
	401: "UNAUTHORIZED",
	403: "FORBIDDEN",
	404: "NOT_FOUND",
	405: "METHOD_NOT_ALLOWED",
	409: "CONFLICT",
	410: "GONE",
	413: "CONTENT_TOO_LARGE",
	415: "UNSUPPORTED_MEDIA_TYPE",
	412: "PRECONDITION_FAILED",
	416: "RANGE_NOT_SATISFIABLE",
	429: "RATE_LIMITED",
};

/** Messages may quote a URL (a failed page, a refused address): its query and userinfo never reach the caller's logs. */
export function errorBody(code: ErrorCode, message: string, details?: ErrorDetail[]): ErrorBody {
	const text = redactText(message);
	return { error: details?.length ? { code, message: text, details } : { code, message: text } };
}

/** Each zod issue becomes { path: "pdf.scale", message }; unknown keys are named one by one. */
export function zodDetails(error: ZodError): ErrorDetail[] {
	return error.issues.flatMap((issue) => {
		const base = issue.path.map(String);
		if (issue.code === "unrecognized_keys") {
			return issue.keys.map((key) => ({ path: [...base, key].join("."), message: "unknown field" }));
		}
		return [{ path: base.join(".") || "(body)", message: issue.message }];
	});
}

export function onError(err: Error, c: Context): Response {
	if (err instanceof ApiError) {
		return c.json(errorBody(err.code, err.message, err.details), err.status, err.headers);
	}
	if (err instanceof HTTPException) {
		const status = err.status as ContentfulStatusCode;
		const code = CODE_BY_STATUS[status] ?? (status >= 500 ? "INTERNAL" : "INVALID_REQUEST");
		return c.json(errorBody(code, err.message || "request failed"), status);
	}
	logError({ msg: "unhandled error", path: c.req.path, error: err.message });
	return c.json(errorBody("INTERNAL", "internal error"), 500);
}

export function notFound(c: Context): Response {
	return c.json(errorBody("NOT_FOUND", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404);
}
