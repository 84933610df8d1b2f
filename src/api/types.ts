import type { OpenAPIHono } from "@hono/zod-openapi";

export interface AppEnv {
	Bindings: Env;
	Variables: { tenantId: string };
}

export type App = OpenAPIHono<AppEnv>;
