// Talks to the webhook receiver of the fixture server (test/support/fixture-server.ts).
import { inject, vi } from "vitest";
import type { Job } from "../../src/schemas/job";
import type { ReceivedHook } from "./fixture-server";
import { api, getJob } from "./api";

const origin = () => inject("fixtureOrigin");

/** A fresh receiver endpoint with the given behaviour, trusting the secret of the tenant of `key` (default acme). */
export async function receiver(scenario: string, key?: string): Promise<{ url: string; received: () => Promise<ReceivedHook[]> }> {
	const token = crypto.randomUUID();
	const { secret } = (await (await api("/v1/webhooks/secret", { key })).json()) as { secret: string };
	await fetch(`${origin()}/__hooks/secret/${token}`, { method: "POST", body: secret });
	return {
		url: `${origin()}/hook/${scenario}/${token}`,
		received: async () => (await (await fetch(`${origin()}/__hooks/received/${token}`)).json()) as ReceivedHook[],
	};
}

/** Waits until the job's webhook reaches one of `statuses`. */
export function waitForWebhook(id: string, statuses: string[], timeout = 45_000): Promise<Job> {
	return vi.waitUntil(
		async () => {
			const job = await getJob(id);
			return job.webhook && statuses.includes(job.webhook.status) ? job : undefined;
		},
		{ timeout, interval: 100 },
	) as Promise<Job>;
}
