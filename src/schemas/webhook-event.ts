// The body of every webhook delivery: built once when a job ends (JobObject.finish), signed per
// Standard Webhooks, and published under OpenAPI `webhooks`.
import { z } from "@hono/zod-openapi";
import { Job } from "./job";

export const EVENT_TYPES = ["render.succeeded", "render.failed", "render.canceled"] as const;
export const EventType = z.enum(EVENT_TYPES).openapi("WebhookEventType");
export type EventType = z.infer<typeof EventType>;

/** The job object without its `webhook` part: the delivery state of this very event is not in it. */
export const EventData = Job.omit({ webhook: true }).openapi("RenderEventData");

export const WebhookEvent = z
	.object({
		type: EventType,
		timestamp: z.string().openapi({ format: "date-time", description: "When the job ended (ISO 8601)" }),
		data: EventData,
	})
	.openapi("WebhookEvent");
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/** Request headers of every delivery (Standard Webhooks 1.0). */
export const WebhookDeliveryHeaders = z.object({
	"webhook-id": z.string().openapi({ description: "Stable for the event across retries and redeliveries" }),
	"webhook-timestamp": z.string().regex(/^\d+$/).openapi({ description: "Unix seconds of this attempt" }),
	"webhook-signature": z.string().openapi({ description: "v1,<base64 HMAC-SHA256 of id.timestamp.body>; several, space-separated, during a secret rotation" }),
});

/** The event for a job that just ended; typed against the schema so the body cannot drift from it. */
export function webhookEvent(type: EventType, endedAt: number, data: z.infer<typeof EventData>): WebhookEvent {
	return { type, timestamp: new Date(endedAt).toISOString(), data };
}
