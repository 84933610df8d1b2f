// A tenant's signing keys: a PKCS#12 opened once when it is saved, its certificate described in the
// clear and its private key and certificates sealed (src/security/secret-box.ts) before they reach the
// tenant's Durable Object. Neither the file nor its password is kept; nothing sealed is ever shown.
import { Certificate } from "pkijs";
import { type CertificateInfo, SealedSigningKey, type SigningKeyInput, type SigningKeyView } from "../schemas/signing-key";
import { parseStored } from "../schemas/stored";
import { base64, fromBase64 } from "../security/crypto";
import { open, seal } from "../security/secret-box";
import type { SigningKeyRow } from "../tenants/signing-keys";
import { tenantStub } from "../tenants/tenant-object";
import { describeCertificate } from "./certificate";
import type { OpenedSigningKey } from "./opened-key";
import { IMPORT_PARAMS, openPkcs12, Pkcs12Refusal } from "./pkcs12";

const context = (name: string) => `signing-key:${name}`;

export function signingKeyView(row: SigningKeyRow): SigningKeyView {
	return { name: row.name, ...row.certificate };
}

/** Whether the certificate's validity has ended at `now`. */
export function isExpired(certificate: CertificateInfo, now = Date.now()): boolean {
	return Date.parse(certificate.notAfter) <= now;
}

/**
 * Opens the file, refuses an expired certificate, and saves the key sealed. A file that cannot be
 * used throws Pkcs12Refusal with a message safe to show (it never quotes the file or the password).
 */
export async function saveSigningKey(env: Env, tenantId: string, name: string, input: SigningKeyInput): Promise<{ created: boolean; view: SigningKeyView }> {
	const file = fromBase64(input.p12);
	if (!file || file.byteLength === 0) throw new Pkcs12Refusal("p12 is not base64");
	const contents = await openPkcs12(file, input.password);
	const [signer] = contents.certificates;
	if (!signer) throw new Pkcs12Refusal("the file holds no certificate for its private key");
	const certificate = await describeCertificate(signer.cert, signer.der);
	if (isExpired(certificate)) throw new Pkcs12Refusal(`the certificate expired on ${certificate.notAfter}`);
	const sealed: SealedSigningKey = {
		algorithm: contents.algorithm,
		privateKey: base64(contents.privateKey),
		certificates: contents.certificates.map((c) => base64(c.der)),
	};
	const stored = await seal(env, tenantId, context(name), JSON.stringify(sealed));
	const { created, row } = await tenantStub(env, tenantId).putSigningKey(name, certificate, stored);
	return { created, view: signingKeyView(row) };
}

function der(text: string, what: string): Uint8Array {
	const bytes = fromBase64(text);
	if (!bytes) throw new Error(`unreadable ${what}`);
	return bytes;
}

/**
 * The saved key opened, or null when the tenant has none by that name. Sealed contents that open to
 * something else than SealedSigningKey throw CorruptedStore, whose message names fields only.
 */
export async function loadSigningKey(env: Env, tenantId: string, name: string): Promise<OpenedSigningKey | null> {
	const row = await tenantStub(env, tenantId).getSigningKey(name);
	if (!row) return null;
	const sealed = parseStored(SealedSigningKey, `signing key "${name}"`, await open(env, tenantId, context(name), row.sealed));
	const privateKey = await crypto.subtle.importKey("pkcs8", der(sealed.privateKey, "private key"), IMPORT_PARAMS[sealed.algorithm], false, ["sign"]);
	const certificates = sealed.certificates.map((c) => der(c, "certificate"));
	const signer = Certificate.fromBER(certificates[0]!.slice().buffer);
	return { name, certificate: row.certificate, privateKey, certificates, signer };
}
