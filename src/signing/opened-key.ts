// A saved signing key as the signing step gets it: opened from its seal when the job runs
// (src/signing/keys.ts), handed to the finishing steps in FinishInput (src/finish/step.ts).
import type { Certificate } from "pkijs";
import type { CertificateInfo } from "../schemas/signing-key";

export interface OpenedSigningKey {
	name: string;
	certificate: CertificateInfo;
	/** Not extractable; RSASSA-PKCS1-v1_5 or ECDSA P-256, used with SHA-256. */
	privateKey: CryptoKey;
	/** DER, the signer's first, then the chain the file carried. */
	certificates: Uint8Array[];
	/** The signer's certificate, parsed (the CMS names it by issuer and serial number). */
	signer: Certificate;
}
