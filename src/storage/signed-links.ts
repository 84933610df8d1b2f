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

export type LinkCheck = "valid" | "invalid" | "expired";

/** HEAD is verified as GET. A bad signature wins over expiry, so nobody learns anything from a forged link. */
export async function checkSignedRequest(env: Env, method: string, url: URL, nowSeconds: number): Promise<LinkCheck> {
	const expires = Number(url.searchParams.get("expires"));
	const given = url.searchParams.get("signature") ?? "";
	if (!Number.isInteger(expires) || expires <= 0 || given === "") return "invalid";
	const asMethod = method.toUpperCase() === "HEAD" ? "GET" : method;
	let valid = false;
	for (const secret of signingSecrets(env)) {
		// Every candidate is computed and compared, so timing says nothing about which secret matched.
		valid = timingSafeEqualText(await signature(secret, asMethod, url.pathname, expires), given) || valid;
	}
	if (!valid) return "invalid";
	return expires < nowSeconds ? "expired" : "valid";
}
