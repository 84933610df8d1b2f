// The HTTP API: one router per resource, one error handler, the OpenAPI document from the same schemas.
import { swaggerUI } from "@hono/swagger-ui";
import { log } from "../log";
import { requireApiKey } from "./auth";
import { notFound, onError } from "./errors";
import { files } from "./files";
import { previewFiles } from "./preview-files";
import { templates } from "./templates";
import { healthz } from "./health";
import { renders } from "./renders";
import { createRouter } from "./router";
import { webhooks } from "./webhooks";

import { VERSION } from "../version";

export const app = createRouter();

app.onError(onError);
app.notFound(notFound);

// One log line per request: the path only, since a download link's query string is its credential.
app.use("*", async (c, next) => {
	const started = Date.now();
	await next();
	log({ msg: "request", method: c.req.method, path: c.req.path, status: c.res.status, durationMs: Date.now() - started, tenantId: c.get("tenantId") ?? null, renderId: c.res.headers.get("Render-Id") });
});

// Every /v1 route but the signed downloads needs an API key.
app.use("/v1/*", async (c, next) => (c.req.path.startsWith("/v1/files/") ? next() : requireApiKey(c, next)));

app.route("/healthz", healthz);
app.route("/v1/renders", renders);
app.route("/v1/files", previewFiles);
app.route("/v1/files", files);
app.route("/v1/templates", templates);
app.route("/v1/webhooks", webhooks);

app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", { type: "http", scheme: "bearer" });
app.doc31("/openapi.json", {
	openapi: "3.1.0",
	info: { title: "edge-pdf", version: VERSION, description: "HTML/URL-to-PDF rendering on Cloudflare Workers." },
	security: [{ apiKey: [] }],
});
app.get("/docs", swaggerUI({ url: "/openapi.json" }));
