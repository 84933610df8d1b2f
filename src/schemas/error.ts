// Every error answer has this shape; `details` names the offending request fields. Its `code` is one
// enum for the whole API: a job's error codes plus the API-level ones, so no handler can invent one.
import { z } from "@hono/zod-openapi";
import { responseHeaders, type ResponseHeaderName } from "./headers";
import { RENDER_ERROR_CODES } from "./job";

/** Codes only the HTTP layer answers with (a job's own error never carries these). */
export const API_ERROR_CODES = [
	"UNAUTHORIZED",
	"FORBIDDEN",
	"NOT_FOUND",
	"METHOD_NOT_ALLOWED",
	"CONFLICT",
	"GONE",
	"PRECONDITION_FAILED",
	"RANGE_NOT_SATISFIABLE",
	"UNSUPPORTED_MEDIA_TYPE",
	"IDEMPOTENCY_CONFLICT",
	"RATE_LIMITED",
] as const;

export const ERROR_CODES = [...RENDER_ERROR_CODES, ...API_ERROR_CODES] as const;
export const ErrorCode = z.enum(ERROR_CODES).openapi("ErrorCode");
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorDetail = z.object({ path: z.string(), message: z.string() }).openapi("ErrorDetail");
export type ErrorDetail = z.infer<typeof ErrorDetail>;

export const ErrorBody = z
	.object({
		error: z.object({
			code: ErrorCode,
			message: z.string(),
			details: z.array(ErrorDetail).optional(),
		}),
	})
	.openapi("Error");
export type ErrorBody = z.infer<typeof ErrorBody>;

/** An error entry of a route's `responses`, with the headers that answer carries. */
export const errorResponse = (description: string, ...headers: ResponseHeaderName[]) => ({
	description,
	...(headers.length ? { headers: responseHeaders(...headers) } : {}),
	content: { "application/json": { schema: ErrorBody } },
});
