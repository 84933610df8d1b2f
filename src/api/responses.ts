// The OpenAPI response entries the routers declare alike: a JSON body of a schema, and the 401 of
// every route behind an API key (one wording, so the document says it the same way everywhere).
import type { z } from "@hono/zod-openapi";
import { errorResponse } from "../schemas/error";

/** A response whose body is JSON of `schema`; the schema's type reaches the handler's `c.json` check. */
export const jsonResponse = <T extends z.ZodType>(description: string, schema: T) => ({ description, content: { "application/json": { schema } } });

export const unauthorized = errorResponse("Missing or invalid API key", "WWW-Authenticate");
