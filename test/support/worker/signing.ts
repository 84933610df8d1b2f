// Worker side: runs inside workerd, imported by the tests.
// Signing key fixtures (test/fixtures/signing, made once with openssl: see its README) and the
// signing key routes as a client calls them.
import ecChainUrl from "../../fixtures/signing/ec-chain.p12?inline";
import ecPem from "../../fixtures/signing/ec.pem?raw";
import expiredUrl from "../../fixtures/signing/expired.p12?inline";
import expiredPem from "../../fixtures/signing/expired.pem?raw";
import legacyUrl from "../../fixtures/signing/rsa-legacy.p12?inline";
import rsaUrl from "../../fixtures/signing/rsa.p12?inline";
import rsaPem from "../../fixtures/signing/rsa.pem?raw";
import { api } from "./api";

/** Every fixture's password. */
export const P12_PASSWORD = "test-password";

const base64Of = (dataUrl: string) => dataUrl.slice(dataUrl.indexOf(",") + 1);

/** The PKCS#12 files, base64, as PUT /v1/signing-keys/{name} takes them. */
export const P12 = { rsa: base64Of(rsaUrl), legacy: base64Of(legacyUrl), expired: base64Of(expiredUrl), ecChain: base64Of(ecChainUrl) } as const;

/** The signer certificates, PEM. */
export const CERT_PEM = { rsa: rsaPem, expired: expiredPem, ec: ecPem } as const;

/** The DER bytes of a PEM certificate. */
export function pemToDer(pem: string): Uint8Array {
	const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
	return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
}

export function putSigningKey(name: string, body: unknown, init: RequestInit = {}): Promise<Response> {
	return api(`/v1/signing-keys/${name}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body), ...init });
}

/** Saves `p12` under a fresh name for the test tenant; the name. */
export async function savedKey(p12: string = P12.rsa): Promise<string> {
	const name = `key-${crypto.randomUUID().slice(0, 8)}`;
	const res = await putSigningKey(name, { p12, password: P12_PASSWORD });
	if (res.status !== 201) throw new Error(`PUT signing key: ${res.status} ${await res.text()}`);
	return name;
}
