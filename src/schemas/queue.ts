// The bodies of the render and webhook queues: producers build them through src/queue-message.ts,
// consumers parse them with these same schemas.
import { z } from "@hono/zod-openapi";

/** Render queue: a job to render; everything else is read from the job's Durable Object. */
export const RenderMessage = z.object({ jobId: z.string().min(1) });
export type RenderMessage = z.infer<typeof RenderMessage>;

/** Webhook queue (and its dead-letter queue): one attempt series of a job's terminal event. */
export const WebhookMessage = z.object({ jobId: z.string().min(1), series: z.number().int().positive() });
export type WebhookMessage = z.infer<typeof WebhookMessage>;
