// The tenant's default webhook endpoint (used by renders without `webhook`) and the test event.
import { z } from "@hono/zod-openapi";
import { Headers } from "./render-request";

export const EVENT_TYPES = ["render.succeeded", "render.failed", "render.canceled"] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

export const WebhookEndpointInput = z
	.strictObject({
		url: z.string().min(1).max(2048),
		method: z.enum(["POST", "PUT", "PATCH"]).default("POST"),
		headers: Headers.optional().openapi({ description: "Sent with every event; stored encrypted and never shown again (GET lists their names)" }),
		events: z.array(EventType).min(1).max(EVENT_TYPES.length).optional().openapi({ description: "Only these event types are sent; default all" }),
	})
	.openapi("WebhookEndpointInput");
export type WebhookEndpointInput = z.infer<typeof WebhookEndpointInput>;

export const WebhookEndpoint = z
	.object({
		object: z.literal("webhook_endpoint"),
		url: z.string(),
		method: z.enum(["POST", "PUT", "PATCH"]),
		headerNames: z.array(z.string()),
		events: z.array(EventType),
		updatedAt: z.string(),
	})
	.openapi("WebhookEndpoint");
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

export const WebhookTestInput = z
	.strictObject({ url: z.string().min(1).max(2048).optional().openapi({ description: "Default: the tenant's endpoint" }) })
	.openapi("WebhookTestInput");

export const WebhookTestResult = z
	.object({
		httpStatus: z.number().int().nullable(),
		durationMs: z.number().int(),
		error: z.string().nullable(),
	})
	.openapi("WebhookTestResult");
export type WebhookTestResult = z.infer<typeof WebhookTestResult>;
