// Standard Webhooks signatures. Each tenant's `whsec_` secret is derived from SIGNING_SECRET, so
// nothing per tenant is stored; during a rotation the header carries a signature for each secret.
import { Webhook } from "standardwebhooks";
import { base64, deriveKeyBytes, signingSecrets } from "../security/crypto";

export async function tenantWebhookSecret(masterSecret: string, tenantId: string): Promise<string> {
	return `whsec_${base64(await deriveKeyBytes(masterSecret, `webhook-secret:${tenantId}`))}`;
}

/** The value of `webhook-signature`: "v1,<sig>" per secret in force, space-separated. */
export async function signatureHeader(env: Env, tenantId: string, eventId: string, timestamp: Date, body: string): Promise<string> {
	const signatures: string[] = [];
	for (const master of signingSecrets(env)) {
		signatures.push(new Webhook(await tenantWebhookSecret(master, tenantId)).sign(eventId, timestamp, body));
	}
	return signatures.join(" ");
}
