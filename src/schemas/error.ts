// Every error answer has this shape; `details` names the offending request fields.
import { z } from "@hono/zod-openapi";

export const ErrorDetail = z.object({ path: z.string(), message: z.string() });
export type ErrorDetail = z.infer<typeof ErrorDetail>;

export const ErrorBody = z
	.object({
		error: z.object({
			code: z.string().openapi({ example: "INVALID_REQUEST" }),
			message: z.string(),
			details: z.array(ErrorDetail).optional(),
		}),
	})
	.openapi("Error");
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Shorthand for an error response entry in a route's `responses`. */
export const errorResponse = (description: string) => ({
	description,
	content: { "application/json": { schema: ErrorBody } },
});
