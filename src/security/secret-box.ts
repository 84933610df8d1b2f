// Tenant secrets at rest (saved destination credentials, webhook endpoint headers): AES-256-GCM with
// a per-tenant key derived from SIGNING_SECRET (HKDF), and the row's identity as additional data,
// so a sealed value cannot be moved to another tenant or row. During a rotation
// SIGNING_SECRET_PREVIOUS still opens what was sealed before it.
import { base64url, deriveKeyBytes, signingSecrets } from "./crypto";

const VERSION = "v1";
const encoder = new TextEncoder();

async function tenantKey(master: string, tenantId: string, usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
	const bytes = await deriveKeyBytes(master, `tenant-secrets:${tenantId}`);
	return crypto.subtle.importKey("raw", bytes, "AES-GCM", false, [usage]);
}

function fromBase64url(text: string): Uint8Array {
	const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
	return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** "v1.<iv>.<ciphertext>" for `plaintext`, bound to `tenantId` and `context` (e.g. "destination:acme-s3"). */
export async function seal(env: Env, tenantId: string, context: string, plaintext: string): Promise<string> {
	const [master = ""] = signingSecrets(env);
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const sealed = await crypto.subtle.encrypt(
		{ name: "AES-GCM", iv, additionalData: encoder.encode(context) },
		await tenantKey(master, tenantId, "encrypt"),
		encoder.encode(plaintext),
	);
	return `${VERSION}.${base64url(iv)}.${base64url(new Uint8Array(sealed))}`;
}

/** The plaintext, or an error that says nothing about it. */
export async function open(env: Env, tenantId: string, context: string, sealed: string): Promise<string> {
	const [version, iv, data] = sealed.split(".");
	if (version !== VERSION || !iv || !data) throw new Error("unreadable sealed value");
	for (const master of signingSecrets(env)) {
		try {
			const plain = await crypto.subtle.decrypt(
				{ name: "AES-GCM", iv: fromBase64url(iv), additionalData: encoder.encode(context) },
				await tenantKey(master, tenantId, "decrypt"),
				fromBase64url(data),
			);
			return new TextDecoder().decode(plain);
		} catch {
			// Sealed under the other secret in force, or tampered with: try the next.
		}
	}
	throw new Error("a sealed value could not be opened with the signing secrets in force");
}
