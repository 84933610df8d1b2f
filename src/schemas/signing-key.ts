// Signing keys: a tenant's PKCS#12 saved through /v1/signing-keys and named by a render's `pdf.sign`.
// The file and its password come in once; what is kept is the certificate's description in the
// clear and the private key with its certificates sealed (src/signing/keys.ts); neither comes out.
import { z } from "@hono/zod-openapi";
import { DESTINATION_NAME } from "./destination";

/** Signing key names follow the rules of saved destination names. */
export const SIGNING_KEY_NAME = DESTINATION_NAME;
const NAME_RULE = "letters, digits, _ and -, at most 64";

export const SigningKeyParam = z.object({
	name: z
		.string()
		.regex(SIGNING_KEY_NAME, NAME_RULE)
		.openapi({ param: { name: "name", in: "path" }, example: "company-seal" }),
});

export const SigningKeyInput = z
	.strictObject({
		p12: z
			.string()
			.min(1)
			// The route's body limit (64 KiB) bounds it: a PKCS#12 with a key and a chain is a few KiB.
			.max(64 * 1024)
			.openapi({ description: "The PKCS#12 (.p12/.pfx) file, base64", example: "MIIKQQIBAzCCCgcGCSqGSIb3DQEHAaCC…" }),
		password: z.string().max(1024).openapi({ description: "The file's password; used once to open it, never stored", example: "s3cret" }),
	})
	.openapi("SigningKeyInput");
export type SigningKeyInput = z.infer<typeof SigningKeyInput>;

/** What a saved key's certificate says, stored in the clear and shown. */
export const CertificateInfo = z.object({
	subject: z.string().openapi({ example: "CN=ACME Billing, O=ACME GmbH, C=DE" }),
	issuer: z.string().openapi({ example: "CN=ACME CA, O=ACME GmbH, C=DE" }),
	notBefore: z.string().openapi({ format: "date-time" }),
	notAfter: z.string().openapi({ format: "date-time" }),
	sha256Fingerprint: z
		.string()
		.openapi({ description: "SHA-256 of the certificate (DER), as openssl x509 -fingerprint -sha256 prints it", example: "F5:91:B6:…:4A" }),
});
export type CertificateInfo = z.infer<typeof CertificateInfo>;

export const SigningKeyView = z
	.object({ name: z.string().openapi({ example: "company-seal" }), ...CertificateInfo.shape })
	.openapi("SigningKey", { description: "A saved signing key: its certificate's description, never the key or the file" });
export type SigningKeyView = z.infer<typeof SigningKeyView>;

export const SigningKeyList = z.object({ object: z.literal("list"), data: z.array(SigningKeyView) }).openapi("SigningKeyList");

/** The algorithms a signing key may use: RSA (PKCS#1 v1.5) or ECDSA on P-256, both with SHA-256. */
export const KeyAlgorithm = z.enum(["RSA", "EC-P256"]);
export type KeyAlgorithm = z.infer<typeof KeyAlgorithm>;

/** The sealed part of a saved key, as sealed at rest and opened to sign: base64 DER. */
export const SealedSigningKey = z.object({
	algorithm: KeyAlgorithm,
	/** PKCS#8 PrivateKeyInfo. */
	privateKey: z.string().min(1),
	/** X.509 certificates, the signer's first, then the rest of the chain the file carried. */
	certificates: z.array(z.string().min(1)).min(1),
});
export type SealedSigningKey = z.infer<typeof SealedSigningKey>;

/** A render's `pdf.sign`: which saved key signs the finished PDF, and what the signature says. */
export const PdfSign = z
	.strictObject({
		key: z.string().regex(SIGNING_KEY_NAME, NAME_RULE).openapi({ description: "A saved signing key (PUT /v1/signing-keys/{name})", example: "company-seal" }),
		reason: z.string().min(1).max(256).optional().openapi({ example: "Issued by ACME" }),
		location: z.string().min(1).max(256).optional().openapi({ example: "Berlin" }),
		contactInfo: z.string().min(1).max(256).optional().openapi({ example: "billing@acme.example" }),
	})
	.openapi("PdfSign", {
		description:
			"An invisible PAdES B-B signature (SHA-256, ETSI.CAdES.detached) over the finished PDF, with a saved signing key. The signing time is the signature's /M.",
	});
export type PdfSign = z.infer<typeof PdfSign>;
