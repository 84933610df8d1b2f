// edge-pdf: HTTP API (Hono), render and webhook queue consumers (and their dead-letter queues), job Durable Object.
import { app } from "./api/app";
import { handleRenderBatch, handleRenderDeadLetters, handleSlowRenderBatch } from "./render/consumer";
import { handleWebhookBatch, handleWebhookDeadLetters } from "./webhooks/consumer";

export { JobObject } from "./jobs/job-object";
export { TenantObject } from "./tenants/tenant-object";
export { TemplateObject } from "./templates/template-object";

type QueueHandlers = Record<string, (batch: MessageBatch<unknown>, env: Env) => Promise<void>>;

/** Consumers by queue name (wrangler.toml). */
const QUEUES: QueueHandlers = {
	"edge-pdf-render": handleRenderBatch,
	"edge-pdf-render-slow": handleSlowRenderBatch,
	"edge-pdf-render-dlq": handleRenderDeadLetters,
	"edge-pdf-webhooks": handleWebhookBatch,
	"edge-pdf-webhooks-dlq": handleWebhookDeadLetters,
};

export default {
	fetch: app.fetch,
	async queue(batch, env) {
		const handler = QUEUES[batch.queue];
		if (!handler) throw new Error(`no consumer for queue ${batch.queue}`);
		await handler(batch, env);
	},
} satisfies ExportedHandler<Env, unknown>;
