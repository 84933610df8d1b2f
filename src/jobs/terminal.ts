// A job's end: the terminal transition, its error, and its one webhook event recorded in the
// outbox (the record's `webhook`), ready for the queue. Pure but for the event's view of the job.
import type { JobError } from "../schemas/job";
import { redactText } from "../security/redact";
import { webhookEvent } from "../schemas/webhook-event";
import { eventTypeFor, IllegalTransition, transition, type JobRecord } from "./record";
import { jobWithoutWebhook } from "./view";

export type TerminalStatus = "succeeded" | "failed" | "canceled";

export async function endJob(env: Env, job: JobRecord, to: TerminalStatus, now: number, error?: JobError): Promise<void> {
	transition(job, to, now);
	// The recorded message is what callers and webhooks see: a URL in it keeps no query or userinfo.
	if (error) job.error = { code: error.code, message: redactText(error.message) };
	// The tenant endpoint's `events` filter: an event it did not ask for is never recorded.
	const type = eventTypeFor(to);
	if (job.webhook?.events && type && !job.webhook.events.includes(type)) job.webhook = null;
	if (!job.webhook || job.webhook.eventId !== null) return;
	if (!type) throw new IllegalTransition(job.status, to);
	const data = await jobWithoutWebhook(env, job, now);
	job.webhook.eventId = `evt_${job.id.replace(/^ren_/, "")}`;
	job.webhook.eventBody = JSON.stringify(webhookEvent(type, now, data));
	job.webhook.enqueuePending = true;
}
