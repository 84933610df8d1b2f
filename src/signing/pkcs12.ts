// Opening a PKCS#12 file with its password (pkijs over WebCrypto, so it runs in a Worker): the MAC
// checked, the shrouded key bag and the encrypted certificate bags decrypted, the certificate that
// belongs to the private key found. Only PBES2 (PBKDF2 + AES-CBC, OpenSSL 3's default) can be
// decrypted: WebCrypto has neither RC2 nor 3DES, which legacy files use, so those are refused with
// how to re-export them. Every refusal is a Pkcs12Refusal whose message is safe to show; it never
// quotes the file, the password or a library's text.
import { fromBER } from "asn1js";
import {
	CertBag,
	Certificate,
	ContentInfo,
	EncryptedContentInfo,
	EncryptedData,
	PFX,
	PKCS8ShroudedKeyBag,
	PrivateKeyInfo,
	SafeContents,
	type AlgorithmIdentifier,
} from "pkijs";
import type { KeyAlgorithm } from "../schemas/signing-key";

export class Pkcs12Refusal extends Error {
	constructor(message: string) {
		super(message);
		this.name = "Pkcs12Refusal";
	}
}

export interface Pkcs12Contents {
	algorithm: KeyAlgorithm;
	/** PKCS#8 PrivateKeyInfo, DER. */
	privateKey: Uint8Array;
	/** The certificate of the private key first, then the others the file carries. */
	certificates: Array<{ der: Uint8Array; cert: Certificate }>;
}

const PBES2 = "1.2.840.113549.1.5.13";
const RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const P256 = "1.2.840.10045.3.1.7";
const KEY_BAG = "1.2.840.113549.1.12.10.1.1";
const SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2";
const CERT_BAG = "1.2.840.113549.1.12.10.1.3";
const X509_CERTIFICATE = "1.2.840.113549.1.9.22.1";

export const LEGACY_MESSAGE =
	"the file uses a legacy encryption (RC2 or 3DES, as openssl pkcs12 -legacy and older tools write): re-export it in OpenSSL 3's default (AES-256, PBKDF2): " +
	"openssl pkcs12 -legacy -in old.p12 -nodes -out key-and-certs.pem, then openssl pkcs12 -export -in key-and-certs.pem -out new.p12 (and delete key-and-certs.pem)";
const WRONG_PASSWORD = "the password does not open the file (or the file is damaged)";

const copy = (view: Uint8Array): ArrayBuffer => view.slice().buffer;

/** Anything pkijs throws while reading: the library's text stays out of the answer. */
async function orRefuse<T>(message: string, work: () => T | Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (err) {
		if (err instanceof Pkcs12Refusal) throw err;
		throw new Pkcs12Refusal(message);
	}
}

/** Only PBES2 decrypts here; the PKCS#12 PBE schemes (RC2, 3DES) get the re-export advice. */
function requirePbes2(algorithm: AlgorithmIdentifier): void {
	if (algorithm.algorithmId === PBES2) return;
	if (algorithm.algorithmId.startsWith("1.2.840.113549.1.12.1.")) throw new Pkcs12Refusal(LEGACY_MESSAGE);
	throw new Pkcs12Refusal("the file is encrypted with an algorithm that is not supported (use OpenSSL 3's default: AES-256, PBKDF2)");
}

async function decrypt(content: EncryptedContentInfo, password: ArrayBuffer): Promise<ArrayBuffer> {
	requirePbes2(content.contentEncryptionAlgorithm);
	return orRefuse(WRONG_PASSWORD, () => new EncryptedData({ encryptedContentInfo: content }).decrypt({ password }));
}

/** The bags of every SafeContents of the file, the encrypted ones decrypted. */
async function safeBags(pfx: PFX, password: ArrayBuffer) {
	const authSafe = pfx.parsedValue?.authenticatedSafe;
	if (!authSafe) throw new Pkcs12Refusal("the file is not a PKCS#12 file");
	const bags = [];
	for (const info of authSafe.safeContents) {
		let raw: ArrayBuffer;
		if (info.contentType === ContentInfo.DATA) raw = await orRefuse("the file is damaged", () => info.content.getValue());
		else if (info.contentType === ContentInfo.ENCRYPTED_DATA) raw = await decrypt(new EncryptedData({ schema: info.content }).encryptedContentInfo, password);
		else throw new Pkcs12Refusal("the file's certificates are encrypted to a recipient's key, which is not supported: export it with a password");
		bags.push(...(await orRefuse(WRONG_PASSWORD, () => SafeContents.fromBER(raw))).safeBags);
	}
	return bags;
}

async function privateKeyOf(bag: { bagId: string; bagValue: unknown }, password: ArrayBuffer): Promise<Uint8Array | null> {
	if (bag.bagId === KEY_BAG && bag.bagValue instanceof PrivateKeyInfo) return new Uint8Array(bag.bagValue.toSchema().toBER());
	if (bag.bagId !== SHROUDED_KEY_BAG || !(bag.bagValue instanceof PKCS8ShroudedKeyBag)) return null;
	const shrouded = bag.bagValue;
	const plain = await decrypt(
		new EncryptedContentInfo({ contentEncryptionAlgorithm: shrouded.encryptionAlgorithm, encryptedContent: shrouded.encryptedData }),
		password,
	);
	return new Uint8Array(plain);
}

function certificateOf(bag: { bagId: string; bagValue: unknown }): { der: Uint8Array; cert: Certificate } | null {
	if (bag.bagId !== CERT_BAG || !(bag.bagValue instanceof CertBag) || bag.bagValue.certId !== X509_CERTIFICATE) return null;
	const cert = bag.bagValue.parsedValue;
	if (!(cert instanceof Certificate)) return null;
	return { der: new Uint8Array(cert.toSchema().toBER()), cert };
}

/** Which algorithm the key is for, or a refusal for one we do not sign with. */
async function keyAlgorithm(pkcs8: Uint8Array): Promise<KeyAlgorithm> {
	const info = await orRefuse("the private key in the file cannot be read", () => PrivateKeyInfo.fromBER(copy(pkcs8)));
	const id = info.privateKeyAlgorithm.algorithmId;
	if (id === RSA_ENCRYPTION) return "RSA";
	const curve = info.privateKeyAlgorithm.algorithmParams as { valueBlock?: { toString(): string } } | undefined;
	if (id === EC_PUBLIC_KEY && curve?.valueBlock?.toString() === P256) return "EC-P256";
	throw new Pkcs12Refusal("the private key is neither RSA nor ECDSA on P-256, the algorithms signing supports");
}

export const IMPORT_PARAMS: Record<KeyAlgorithm, SubtleCryptoImportKeyAlgorithm> = {
	RSA: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
	"EC-P256": { name: "ECDSA", namedCurve: "P-256" },
};

/** The public half of a key as JWK members that identify it (n for RSA; x and y for EC). */
function publicPart(jwk: JsonWebKey): string {
	return jwk.kty === "RSA" ? `${jwk.n}` : `${jwk.x}.${jwk.y}`;
}

/** The certificate whose public key is the private key's: compared through WebCrypto's JWK export. */
async function signerIndex(algorithm: KeyAlgorithm, pkcs8: Uint8Array, certs: Array<{ cert: Certificate }>): Promise<number> {
	const params = IMPORT_PARAMS[algorithm];
	const privateKey = await orRefuse("the private key in the file cannot be read", () => crypto.subtle.importKey("pkcs8", pkcs8, params, true, ["sign"]));
	const wanted = publicPart((await crypto.subtle.exportKey("jwk", privateKey)) as JsonWebKey);
	for (const [index, { cert }] of certs.entries()) {
		const spki = cert.subjectPublicKeyInfo.toSchema().toBER();
		const publicKey = await crypto.subtle.importKey("spki", spki, params, true, ["verify"]).catch(() => null);
		if (publicKey && publicPart((await crypto.subtle.exportKey("jwk", publicKey)) as JsonWebKey) === wanted) return index;
	}
	throw new Pkcs12Refusal("the file holds no certificate for its private key");
}

/** Opens `file` with `password`: its private key and certificates, or a Pkcs12Refusal saying why not. */
export async function openPkcs12(file: Uint8Array, password: string): Promise<Pkcs12Contents> {
	const asn = fromBER(copy(file));
	if (asn.offset === -1) throw new Pkcs12Refusal("the file is not a PKCS#12 (.p12/.pfx) file");
	const pfx = await orRefuse("the file is not a PKCS#12 (.p12/.pfx) file", () => new PFX({ schema: asn.result }));
	if (pfx.authSafe.contentType !== ContentInfo.DATA) throw new Pkcs12Refusal("the file is signed rather than password-protected, which is not supported");
	const secret = copy(new TextEncoder().encode(password));
	// The MAC (HMAC under a key derived from the password) is how a wrong password shows first.
	await orRefuse(WRONG_PASSWORD, () => pfx.parseInternalValues({ password: secret, checkIntegrity: pfx.macData !== undefined }));
	let privateKey: Uint8Array | null = null;
	const certificates: Array<{ der: Uint8Array; cert: Certificate }> = [];
	for (const bag of await safeBags(pfx, secret)) {
		privateKey ??= await privateKeyOf(bag, secret);
		const cert = certificateOf(bag);
		if (cert) certificates.push(cert);
	}
	if (!privateKey) throw new Pkcs12Refusal("the file holds no private key");
	const algorithm = await keyAlgorithm(privateKey);
	const index = await signerIndex(algorithm, privateKey, certificates);
	const signer = certificates.splice(index, 1);
	return { algorithm, privateKey, certificates: [...signer, ...certificates] };
}
