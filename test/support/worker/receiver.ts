// Worker side: runs inside workerd, imported by the tests.
// Talks to the webhook receiver of the fixture server (node/fixture-server.ts).
import { inject } from "vitest";
import type { ReceivedEvent } from "../common/servers";
import { api } from "./api";
import { serverJson } from "./server-json";

const origin = () => inject("fixtureOrigin");

/** A fresh receiver endpoint with the given behaviour, trusting the secret of the tenant of `key` (default acme). */
export async function receiver(
	scenario: string,
	key?: string,
): Promise<{ url: string; received: () => Promise<ReceivedEvent[]>; release: () => Promise<void> }> {
	const token = crypto.randomUUID();
	const { secret } = (await (await api("/v1/webhooks/secret", { key })).json()) as { secret: string };
	await fetch(`${origin()}/__hooks/secret/${token}`, { method: "POST", body: secret });
	return {
		url: `${origin()}/hook/${scenario}/${token}`,
		received: () => serverJson<ReceivedEvent[]>(`${origin()}/__hooks/received/${token}`),
		/** Lets held requests ("hold-first") answer. */
		release: async () => void (await (await fetch(`${origin()}/__hooks/release/${token}`, { method: "POST" })).body?.cancel()),
	};
}
