// The key material of the AES-256 standard security handler, revision 6 (ISO 32000-2, 7.6.4.3.3
// and 7.6.4.4.6-10): a random file key, and the /U /UE /O /OE /Perms entries that let a reader
// recover it from either password and check the permissions. Pure computation over WebCrypto.
import { passwordBytes, MAX_PASSWORD_BYTES } from "../schemas/encrypt";
import { base64url } from "../security/crypto";

export interface SecurityValues {
	/** The 256-bit file encryption key every string and stream is encrypted with. */
	fileKey: Uint8Array;
	O: Uint8Array;
	U: Uint8Array;
	OE: Uint8Array;
	UE: Uint8Array;
	Perms: Uint8Array;
}

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

function concat(...parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
	let at = 0;
	for (const part of parts) {
		out.set(part, at);
		at += part.byteLength;
	}
	return out;
}

async function digest(algorithm: "SHA-256" | "SHA-384" | "SHA-512", data: Uint8Array): Promise<Uint8Array> {
	return new Uint8Array(await crypto.subtle.digest(algorithm, data));
}

/** AES-CBC without padding: WebCrypto always pads, so the padding block it adds is cut off (the input is whole blocks). */
async function aesCbcNoPad(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
	const cryptoKey = await crypto.subtle.importKey("raw", key, "AES-CBC", false, ["encrypt"]);
	return new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv }, cryptoKey, data)).slice(0, data.byteLength);
}

const HASHES = ["SHA-256", "SHA-384", "SHA-512"] as const;

/** Algorithm 2.B: the revision 6 hash of a password with a salt (and, for the owner, the 48-byte /U). */
export async function hash2B(password: Uint8Array, salt: Uint8Array, userKey: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
	let k = await digest("SHA-256", concat(password, salt, userKey));
	for (let round = 0; ; ) {
		const block = concat(password, k, userKey);
		const k1 = new Uint8Array(block.byteLength * 64);
		for (let i = 0; i < 64; i++) k1.set(block, i * block.byteLength);
		const e = await aesCbcNoPad(k.slice(0, 16), k.slice(16, 32), k1);
		// The first 16 bytes of E as a big-endian number, mod 3: 256 is 1 mod 3, so the byte sum mod 3.
		const select = e.slice(0, 16).reduce((sum, b) => sum + b, 0) % 3;
		k = await digest(HASHES[select] ?? "SHA-256", e);
		round++;
		// At least 64 rounds, then until the last byte of E is at most round - 32.
		if (round >= 64 && (e[e.byteLength - 1] ?? 0) <= round - 32) return k.slice(0, 32);
	}
}

/** The password as revision 6 hashes it; the schema refused longer ones, the cut is the standard's own rule. */
function prepared(password: string): Uint8Array {
	return passwordBytes(password).slice(0, MAX_PASSWORD_BYTES);
}

/** Algorithms 8 and 9: a 48-byte hash + validation salt + key salt, and the file key wrapped under the key-salt hash. */
async function passwordEntry(password: Uint8Array, fileKey: Uint8Array, userKey: Uint8Array): Promise<{ entry: Uint8Array; wrapped: Uint8Array }> {
	const validationSalt = random(8);
	const keySalt = random(8);
	const entry = concat(await hash2B(password, validationSalt, userKey), validationSalt, keySalt);
	const wrapped = await aesCbcNoPad(await hash2B(password, keySalt, userKey), new Uint8Array(16), fileKey);
	return { entry, wrapped };
}

/** Algorithm 10: /P, 0xFFFFFFFF, "T" (metadata encrypted), "adb" and 4 random bytes, AES-256-ECB under the file key. */
async function perms(p: number, fileKey: Uint8Array): Promise<Uint8Array> {
	const block = new Uint8Array(16);
	new DataView(block.buffer).setInt32(0, p, true);
	block.fill(0xff, 4, 8);
	block.set(new TextEncoder().encode("Tadb"), 8);
	block.set(random(4), 12);
	// One block of CBC with a zero IV is ECB.
	return aesCbcNoPad(fileKey, new Uint8Array(16), block);
}

/** A fresh file key and the entries of the encryption dictionary for these passwords and /P. */
export async function securityValues(userPassword: string, ownerPassword: string, p: number): Promise<SecurityValues> {
	const fileKey = random(32);
	const user = await passwordEntry(prepared(userPassword), fileKey, new Uint8Array(0));
	const owner = await passwordEntry(prepared(ownerPassword), fileKey, user.entry);
	return { fileKey, U: user.entry, UE: user.wrapped, O: owner.entry, OE: owner.wrapped, Perms: await perms(p, fileKey) };
}

/** A random owner password (32 bytes, base64url): nobody is told it, so nobody holds every permission. */
export function randomOwnerPassword(): string {
	return base64url(random(32));
}
