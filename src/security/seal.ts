// Secrets kept at rest (a job's webhook headers): AES-256-GCM under a key derived from
// SIGNING_SECRET for one purpose, so storage alone never reveals them. During a rotation the
// previous secret still opens what the old one sealed.
import { base64url, deriveKeyBytes, signingSecrets } from "./crypto";

const FORMAT = "s1";

async function aesKey(secret: string, purpose: string): Promise<CryptoKey> {
	return crypto.subtle.importKey("raw", await deriveKeyBytes(secret, `seal:${purpose}`), "AES-GCM", false, ["encrypt", "decrypt"]);
}

function fromBase64url(text: string): Uint8Array {
	const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
	return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** "s1.<iv>.<ciphertext>", sealed with the current secret. */
export async function seal(env: Env, purpose: string, plaintext: string): Promise<string> {
	const [current = ""] = signingSecrets(env);
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await aesKey(current, purpose), new TextEncoder().encode(plaintext));
	return `${FORMAT}.${base64url(iv)}.${base64url(new Uint8Array(sealed))}`;
}

/** The plaintext, or null when no secret in force opens it (or it was sealed for another purpose). */
export async function unseal(env: Env, purpose: string, sealed: string): Promise<string | null> {
	const [format, iv, data] = sealed.split(".");
	if (format !== FORMAT || !iv || !data) return null;
	for (const secret of signingSecrets(env)) {
		try {
			const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64url(iv) }, await aesKey(secret, purpose), fromBase64url(data));
			return new TextDecoder().decode(plain);
		} catch {
			// not this secret: try the previous one
		}
	}
	return null;
}
