// Small Web Crypto helpers: hashing, key derivation from SIGNING_SECRET, HMAC, base64url.
const encoder = new TextEncoder();

type Bytes = Uint8Array;

function toBytes(data: string | Uint8Array): Bytes {
	return typeof data === "string" ? encoder.encode(data) : Uint8Array.from(data);
}

export function hex(bytes: ArrayBuffer | Uint8Array): string {
	return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
	return hex(await crypto.subtle.digest("SHA-256", toBytes(data)));
}

/** Constant-time comparison of two strings (length is not secret). */
export function timingSafeEqualText(a: string, b: string): boolean {
	const left = encoder.encode(a);
	const right = encoder.encode(b);
	if (left.byteLength !== right.byteLength) return false;
	return crypto.subtle.timingSafeEqual(left, right);
}

/** HKDF-SHA256 of the master secret for one purpose, so no two uses share a key. */
export async function deriveKeyBytes(masterSecret: string, purpose: string): Promise<Bytes> {
	const master = await crypto.subtle.importKey("raw", encoder.encode(masterSecret), "HKDF", false, ["deriveBits"]);
	const bits = await crypto.subtle.deriveBits(
		{ name: "HKDF", hash: "SHA-256", salt: encoder.encode("edge-pdf/v1"), info: encoder.encode(purpose) },
		master,
		256,
	);
	return new Uint8Array(bits);
}

export async function hmacSha256(key: Uint8Array, message: string): Promise<Bytes> {
	const cryptoKey = await crypto.subtle.importKey("raw", toBytes(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
	return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message)));
}

export function base64(bytes: Uint8Array): string {
	// 32 KiB at a time: a font face is megabytes, and a character per call would be slow.
	let binary = "";
	for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
	return btoa(binary);
}

/** The bytes of base64 text (white space allowed), or null when it is not base64. */
export function fromBase64(text: string): Uint8Array | null {
	try {
		return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
	} catch {
		return null;
	}
}

export function base64url(bytes: Uint8Array): string {
	return base64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The master secrets in force: the current one first, then the previous one during a rotation. */
export function signingSecrets(env: Pick<Env, "SIGNING_SECRET" | "SIGNING_SECRET_PREVIOUS">): string[] {
	if (!env.SIGNING_SECRET) throw new Error("SIGNING_SECRET is not configured");
	return env.SIGNING_SECRET_PREVIOUS ? [env.SIGNING_SECRET, env.SIGNING_SECRET_PREVIOUS] : [env.SIGNING_SECRET];
}
