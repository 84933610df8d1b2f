// Webhook queue consumer: one message per attempt series ({ jobId, series }), retried on the
// WEBHOOK_RETRY_SCHEDULE through retry({ delaySeconds }); an exhausted series goes to the
// webhook dead-letter queue, whose consumer records it on the job.
import { clampDelay } from "../config";
import { jobStub } from "../jobs/ids";
import { log } from "../log";
import { parseMessage, sendWebhook, UNKNOWN_FAILURE_DELAY_SECONDS } from "../queue-message";
import { WebhookMessage } from "../schemas/queue";
import { attemptDelivery } from "./deliver";

async function deliverOne(message: Message<unknown>, env: Env): Promise<void> {
	const body = parseMessage(message, WebhookMessage, "webhooks");
	if (!body) return;
	const { jobId, series } = body;
	const stub = jobStub(env, jobId);
	try {
		const turn = await stub.beginWebhookAttempt(series);
		if (turn.kind === "busy") return message.retry({ delaySeconds: clampDelay(turn.retryAfterSeconds) });
		if (turn.kind === "done") {
			// A previous run decided on the dead-letter queue but could not send there: finish that.
			if (turn.deadLetter) await sendWebhook(env.WEBHOOK_DLQ, body);
			return message.ack();
		}
		const outcome = await attemptDelivery(env, turn.delivery);
		const result = await stub.endWebhookAttempt({ series, attempt: turn.attempt }, outcome);
		log({
			msg: "webhook attempt",
			jobId,
			eventId: turn.delivery.eventId,
			series,
			attempt: turn.attempt,
			httpStatus: outcome.httpStatus,
			durationMs: outcome.durationMs,
			error: outcome.error,
			result: result.kind,
		});
		if (result.kind === "retry") return message.retry({ delaySeconds: clampDelay(result.delaySeconds) });
		if (result.kind === "exhausted") await sendWebhook(env.WEBHOOK_DLQ, body);
		message.ack();
	} catch (err) {
		log({ msg: "webhook message failed", jobId, series, error: String(err) });
		message.retry({ delaySeconds: UNKNOWN_FAILURE_DELAY_SECONDS });
	}
}

export async function handleWebhookBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
	await Promise.all(batch.messages.map((message) => deliverOne(message, env)));
}

/** Every event that reaches the dead-letter queue is recorded on its job as failed. */
export async function handleWebhookDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
	for (const message of batch.messages) {
		const body = parseMessage(message, WebhookMessage, "webhooks-dlq");
		if (!body) continue;
		try {
			const changed = await jobStub(env, body.jobId).webhookDeadLettered(body.series);
			log({ msg: "webhook dead letter", jobId: body.jobId, series: body.series, recorded: changed });
			message.ack();
		} catch (err) {
			log({ msg: "webhook dead letter failed", jobId: body.jobId, error: String(err) });
			message.retry({ delaySeconds: UNKNOWN_FAILURE_DELAY_SECONDS });
		}
	}
}
