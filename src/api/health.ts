// GET /healthz: liveness, no auth, no bindings touched.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "./router";

const health = createRoute({
	method: "get",
	path: "/",
	operationId: "health",
	summary: "Liveness check",
	security: [],
	responses: { 200: { description: "The service is up", content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } } } },
});

export const healthz = createRouter().openapi(health, (c) => c.json({ status: "ok" as const }, 200));
