// What a saved key's certificate is shown as: subject and issuer in the order the certificate lists
// them (as openssl prints them), the validity period, and the SHA-256 fingerprint of its DER.
import type { Certificate, RelativeDistinguishedNames, Time } from "pkijs";
import type { CertificateInfo } from "../schemas/signing-key";

/** Short names for the attribute types certificates commonly carry; any other shows as its OID. */
const ATTRIBUTE_NAMES: Record<string, string> = {
	"2.5.4.3": "CN",
	"2.5.4.4": "SN",
	"2.5.4.5": "serialNumber",
	"2.5.4.6": "C",
	"2.5.4.7": "L",
	"2.5.4.8": "ST",
	"2.5.4.9": "street",
	"2.5.4.10": "O",
	"2.5.4.11": "OU",
	"2.5.4.12": "title",
	"2.5.4.42": "GN",
	"2.5.4.97": "organizationIdentifier",
	"1.2.840.113549.1.9.1": "emailAddress",
	"0.9.2342.19200300.100.1.25": "DC",
};

function attributeValue(value: unknown): string {
	const block = (value as { valueBlock?: { value?: unknown } } | null)?.valueBlock;
	return typeof block?.value === "string" ? block.value : "";
}

/** "CN=…, O=…, C=…" */
export function distinguishedName(name: RelativeDistinguishedNames): string {
	return name.typesAndValues.map((tv) => `${ATTRIBUTE_NAMES[tv.type] ?? tv.type}=${attributeValue(tv.value)}`).join(", ");
}

/** The certificate subject's common name (what a PDF reader shows as the signer), or its whole name. */
export function commonName(cert: Certificate): string {
	const cn = cert.subject.typesAndValues.find((tv) => tv.type === "2.5.4.3");
	return cn ? attributeValue(cn.value) : distinguishedName(cert.subject);
}

const timeOf = (time: Time) => time.value.toISOString();

/** "AB:CD:…", upper-case hex pairs, as openssl x509 -fingerprint -sha256 prints it. */
export async function sha256Fingerprint(der: Uint8Array): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der));
	return Array.from(digest, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

export async function describeCertificate(cert: Certificate, der: Uint8Array): Promise<CertificateInfo> {
	return {
		subject: distinguishedName(cert.subject),
		issuer: distinguishedName(cert.issuer),
		notBefore: timeOf(cert.notBefore),
		notAfter: timeOf(cert.notAfter),
		sha256Fingerprint: await sha256Fingerprint(der),
	};
}
