// Download links: HMAC-SHA256 over method, path and expiry with a key derived from SIGNING_SECRET.
// During a rotation links signed with SIGNING_SECRET_PREVIOUS stay valid until they expire.
import { base64url, deriveKeyBytes, hmacSha256, signingSecrets, timingSafeEqualText } from "../security/crypto";

const PURPOSE = "download-links";

function canonical(method: string, path: string, expires: number): string {
	return `${method.toUpperCase()}\n${path}\n${expires}`;
}

async function signature(secret: string, method: string, path: string, expires: number): Promise<string> {
	return base64url(await hmacSha256(await deriveKeyBytes(secret, PURPOSE), canonical(method, path, expires)));
}

export function filePath(jobId: string): string {
	return `/v1/files/${jobId}`;
}

/** The first-page thumbnail beside a job's document. */
export function previewPath(jobId: string): string {
	return `${filePath(jobId)}/preview`;
}

/** A link to GET `path` until `expires` (unix seconds), signed with the current secret. */
export async function signedUrl(env: Env, origin: string, path: string, expires: number): Promise<string> {
	const [current] = signingSecrets(env);
	const sig = await signature(current ?? "", "GET", path, expires);
	return `${origin}${path}?expires=${expires}&signature=${sig}`;
}

/** Unix seconds as the server writes them: one parameter, plain decimal digits, no sign, zero, exponent or padding. */
const CANONICAL_EXPIRES = /^[1-9][0-9]{0,11}$/;

/**
 * `expires` only in the spelling we sign: "0100", "+100", "1e3" or " 100" would parse to a number whose
 * signature is valid, yet they are not the value we signed; they are refused, as is a repeated parameter.
 */
function canonicalExpires(values: string[]): number | null {
	const [value] = values;
	return values.length === 1 && value !== undefined && CANONICAL_EXPIRES.test(value) ? Number(value) : null;
}

export type LinkCheck = "valid" | "invalid" | "expired";

/** HEAD is verified as GET. A bad signature wins over expiry, so nobody learns anything from a forged link. */
export async function checkSignedRequest(env: Env, method: string, url: URL, nowSeconds: number): Promise<LinkCheck> {
	const expires = canonicalExpires(url.searchParams.getAll("expires"));
	const signatures = url.searchParams.getAll("signature");
	const given = signatures.length === 1 ? (signatures[0] ?? "") : "";
	if (expires === null || given === "") return "invalid";
	const asMethod = method.toUpperCase() === "HEAD" ? "GET" : method;
	let valid = false;
	for (const secret of signingSecrets(env)) {
		// Every candidate is computed and compared, so timing says nothing about which secret matched.
		valid = timingSafeEqualText(await signature(secret, asMethod, url.pathname, expires), given) || valid;
	}
	if (!valid) return "invalid";
	return expires < nowSeconds ? "expired" : "valid";
}
