// /v1/webhooks: the calling tenant's signing secret, to verify our Standard Webhooks signatures.
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponse } from "../schemas/error";
import { tenantWebhookSecret } from "../webhooks/signing";
import { createRouter } from "./router";

const getSecret = createRoute({
	method: "get",
	path: "/secret",
	operationId: "getWebhookSecret",
	summary: "The webhook signing secret of the calling tenant",
	responses: {
		200: {
			description: "A `whsec_` secret for the standardwebhooks libraries",
			content: { "application/json": { schema: z.object({ secret: z.string().openapi({ example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }) }) } },
		},
		401: errorResponse("Missing or invalid API key", "WWW-Authenticate"),
		500: errorResponse("Internal error"),
	},
});

export const webhooks = createRouter().openapi(getSecret, async (c) =>
	c.json({ secret: await tenantWebhookSecret(c.env.SIGNING_SECRET, c.var.tenantId) }, 200),
);
