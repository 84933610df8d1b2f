// The HTTP API: one router per resource, one error handler, the OpenAPI document from the same schemas.
import { log } from "../log";
import { methodGuard } from "./allow";
import { requireApiKey } from "./auth";
import { notFound, onError } from "./errors";
import { events } from "./events";
import { files } from "./files";
import { fonts } from "./fonts";
import { previewFiles } from "./preview-files";
import { templates } from "./templates";
import { healthz } from "./health";
import { documentApi } from "./openapi";
import { pages, securityHeaders } from "./pages";
import { renders } from "./renders";
import { createRouter } from "./router";
import { destinations } from "./destinations";
import { signingKeys } from "./signing-keys";
import { webhooks } from "./webhooks";

export const app = createRouter();

app.onError(onError);
app.notFound(notFound);

// One log line per request: the path only, since a download link's query string is its credential.
app.use("*", async (c, next) => {
	const started = Date.now();
	await next();
	log({
		msg: "request",
		method: c.req.method,
		path: c.req.path,
		status: c.res.status,
		durationMs: Date.now() - started,
		tenantId: c.get("tenantId") ?? null,
		renderId: c.res.headers.get("Render-Id"),
	});
});

app.use("*", securityHeaders);
// A path that exists but not for this method: 405 with Allow, before auth (the route table is public).
app.use(
	"*",
	methodGuard(() => app.routes),
);

// Every /v1 route but the signed downloads needs an API key.
app.use("/v1/*", async (c, next) => (c.req.path.startsWith("/v1/files/") ? next() : requireApiKey(c, next)));

app.route("/healthz", healthz);
app.route("/v1/renders", renders);
app.route("/v1/renders", events);
app.route("/v1/files", previewFiles);
app.route("/v1/files", files);
app.route("/v1/templates", templates);
// The signing secret, the tenant's default endpoint and test events; then its saved destinations.
app.route("/v1/webhooks", webhooks);
app.route("/v1/destinations", destinations);
app.route("/v1/fonts", fonts);
app.route("/v1/signing-keys", signingKeys);

documentApi(app);
app.route("/", pages);
