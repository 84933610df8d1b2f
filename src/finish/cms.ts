// The CMS SignedData of a PAdES B-B signature (ETSI EN 319 142-1), built with pkijs over WebCrypto:
// detached (no content inside), SHA-256, the signer's certificate and the chain the key came with,
// and exactly three signed attributes: content-type (id-data), message-digest (the PDF's byte
// range hashed) and signing-certificate-v2 (RFC 5035: the signer certificate's SHA-256). No
// signing-time: in PAdES the time is the signature dictionary's /M.
import { ObjectIdentifier, OctetString, Sequence } from "asn1js";
import {
	Attribute,
	Certificate,
	ContentInfo,
	EncapsulatedContentInfo,
	IssuerAndSerialNumber,
	SignedAndUnsignedAttributes,
	SignedData,
	SignerInfo,
} from "pkijs";
import type { OpenedSigningKey } from "../signing/opened-key";

export const OID = {
	data: "1.2.840.113549.1.7.1",
	signedData: "1.2.840.113549.1.7.2",
	contentType: "1.2.840.113549.1.9.3",
	messageDigest: "1.2.840.113549.1.9.4",
	signingTime: "1.2.840.113549.1.9.5",
	signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
} as const;

const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

/**
 * SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }, one ESSCertIDv2 for the
 * signer: { certHash } alone, since SHA-256 is its hashAlgorithm's DEFAULT (which DER omits) and
 * the issuer-serial hint is optional.
 */
async function signingCertificateV2(signerDer: Uint8Array): Promise<Sequence> {
	const certHash = await crypto.subtle.digest("SHA-256", signerDer);
	const essCertIdV2 = new Sequence({ value: [new OctetString({ valueHex: certHash })] });
	return new Sequence({ value: [new Sequence({ value: [essCertIdV2] })] });
}

/** DER orders a SET OF by its members' encodings: the signed attributes are sent sorted. */
function derSorted(attributes: Attribute[]): Attribute[] {
	const encoded = attributes.map((a) => ({ a, der: new Uint8Array(a.toSchema().toBER()) }));
	const compare = (x: Uint8Array, y: Uint8Array) => {
		for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
		return x.length - y.length;
	};
	return encoded.sort((x, y) => compare(x.der, y.der)).map((e) => e.a);
}

async function signedAttributes(digest: ArrayBuffer, signerDer: Uint8Array): Promise<SignedAndUnsignedAttributes> {
	const attributes = derSorted([
		new Attribute({ type: OID.contentType, values: [new ObjectIdentifier({ value: OID.data })] }),
		new Attribute({ type: OID.messageDigest, values: [new OctetString({ valueHex: digest })] }),
		new Attribute({ type: OID.signingCertificateV2, values: [await signingCertificateV2(signerDer)] }),
	]);
	return new SignedAndUnsignedAttributes({ type: 0, attributes });
}

/** The DER ContentInfo(SignedData) for a byte range whose SHA-256 is `digest`. */
export async function buildCms(key: OpenedSigningKey, digest: ArrayBuffer): Promise<Uint8Array> {
	const [signerDer, ...chain] = key.certificates;
	if (!signerDer) throw new Error("the signing key has no certificate");
	const signer = key.signer;
	const signedData = new SignedData({
		version: 1,
		encapContentInfo: new EncapsulatedContentInfo({ eContentType: OID.data }),
		certificates: [signer, ...chain.map((der) => Certificate.fromBER(buffer(der)))],
		signerInfos: [
			new SignerInfo({
				version: 1,
				sid: new IssuerAndSerialNumber({ issuer: signer.issuer, serialNumber: signer.serialNumber }),
				signedAttrs: await signedAttributes(digest, signerDer),
			}),
		],
	});
	// With signed attributes, pkijs signs their DER (as a SET); the detached data argument is unused.
	await signedData.sign(key.privateKey, 0, "SHA-256");
	const content = new ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
	return new Uint8Array(content.toSchema().toBER());
}
