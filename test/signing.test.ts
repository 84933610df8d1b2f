// Signing keys and signed PDFs: /v1/signing-keys opens a PKCS#12 (OpenSSL 3's default; a legacy one
// is refused with how to re-export it) and keeps only the sealed key and the certificate's
// description; `pdf.sign` signs the finished PDF (PAdES B-B), checked with poppler's pdfsig and by
// reading the CMS back with pkijs; a key gone or expired since the render was accepted fails it.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { fromBER, type OctetString, type Sequence } from "asn1js";
import { ContentInfo, SignedData } from "pkijs";
import { describe, expect, it } from "vitest";
import { SharedBrowser } from "../src/render/browser";
import { runJob } from "../src/render/run-job";
import { base64 } from "../src/security/crypto";
import { openPkcs12 } from "../src/signing/pkcs12";
import { type TenantObject, tenantStub } from "../src/tenants/tenant-object";
import { api, download, getJob, postRender, renderToEnd } from "./support/worker/api";
import { storedJob } from "./support/worker/jobs";
import { logsOfEachTest } from "./support/worker/logs";
import { runTool } from "./support/worker/pdf-tools";
import { CERT_PEM, P12, P12_PASSWORD, pemToDer, putSigningKey, savedKey } from "./support/worker/signing";

const logs = logsOfEachTest();
const latin1 = (bytes: Uint8Array) => new TextDecoder("latin1").decode(bytes);

/** "AB:CD:…" of the certificate's DER, as openssl x509 -fingerprint -sha256 prints it. */
async function fingerprint(pem: string): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", pemToDer(pem)));
	return Array.from(digest, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

async function signedPdf(sign: Record<string, unknown>, body: Record<string, unknown> = { html: "<!doctype html><p>Signed invoice</p>" }): Promise<Uint8Array> {
	const res = await postRender({ async: false, ...body, pdf: { sign } });
	const bytes = new Uint8Array(await res.arrayBuffer());
	expect(res.status, latin1(bytes).slice(0, 300)).toBe(200);
	return bytes;
}

async function pdfsig(pdf: Uint8Array): Promise<string> {
	const run = await runTool("pdfsig", ["{pdf}"], pdf);
	return new TextDecoder().decode(run.stdout) + run.stderr;
}

/** The signature dictionary's /ByteRange and the CMS in its /Contents, read from the bytes. */
function signatureOf(pdf: Uint8Array): { range: number[]; cms: Uint8Array; m: string } {
	const text = latin1(pdf);
	const range = (text.match(/\/ByteRange \[([\d ]+)\]/)?.[1] ?? "").trim().split(/\s+/).map(Number);
	const hex = text.slice((range[1] ?? 0) + 1, (range[2] ?? 0) - 1).replace(/(00)+$/, "");
	const cms = Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
	return { range, cms, m: text.match(/\/M \(D:(\d{14})Z\)/)?.[1] ?? "" };
}

/** "Dec 03 2026 19:58:16" for "20261203195816": how pdfsig prints a signing time (its TZ is UTC). */
function pdfsigTime(m: string): string {
	const date = new Date(Date.UTC(+m.slice(0, 4), +m.slice(4, 6) - 1, +m.slice(6, 8), +m.slice(8, 10), +m.slice(10, 12), +m.slice(12, 14)));
	const month = date.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
	return `${month} ${m.slice(6, 8)} ${m.slice(0, 4)} ${m.slice(8, 10)}:${m.slice(10, 12)}:${m.slice(12, 14)}`;
}

describe("/v1/signing-keys", () => {
	it("saves an OpenSSL 3 PKCS#12: 201 with the certificate's subject, issuer, validity and SHA-256 fingerprint, 200 on replace; GET and the list show no secret; DELETE 204", async () => {
		const name = `seal-${crypto.randomUUID().slice(0, 8)}`;
		const expected = {
			name,
			subject: "CN=Edge PDF Test Signer, O=edge-pdf tests, C=DE",
			issuer: "CN=Edge PDF Test Signer, O=edge-pdf tests, C=DE",
			notBefore: "2025-01-01T00:00:00.000Z",
			notAfter: "2045-01-01T00:00:00.000Z",
			sha256Fingerprint: await fingerprint(CERT_PEM.rsa),
		};
		const created = await putSigningKey(name, { p12: P12.rsa, password: P12_PASSWORD });
		expect(created.status).toBe(201);
		expect(await created.json()).toEqual(expected);
		const replaced = await putSigningKey(name, { p12: P12.ecChain, password: P12_PASSWORD });
		expect(replaced.status).toBe(200);
		expect(await replaced.json()).toMatchObject({
			name,
			subject: "CN=Edge PDF EC Signer, O=edge-pdf tests, C=DE",
			issuer: "CN=Edge PDF Test CA, O=edge-pdf tests, C=DE",
		});
		await putSigningKey(name, { p12: P12.rsa, password: P12_PASSWORD });

		const one = await api(`/v1/signing-keys/${name}`);
		expect(await one.json()).toEqual(expected);
		const list = (await (await api("/v1/signing-keys")).json()) as { object: string; data: unknown[] };
		expect(list.object).toBe("list");
		expect(list.data).toContainEqual(expected);
		expect(Object.keys(list.data[0] as object).sort()).toEqual(Object.keys(expected).sort());

		expect((await api(`/v1/signing-keys/${name}`, { method: "DELETE" })).status).toBe(204);
		expect((await api(`/v1/signing-keys/${name}`)).status).toBe(404);
		expect((await api(`/v1/signing-keys/${name}`, { method: "DELETE" })).status).toBe(404);
	});

	it.each([
		["not base64", { p12: "%%% not base64 %%%", password: P12_PASSWORD }, /p12 is not base64/],
		["not a PKCS#12", { p12: btoa("just some text, not a PKCS#12 file"), password: P12_PASSWORD }, /not a PKCS#12/],
		["a wrong password", { p12: P12.rsa, password: "wrong-password" }, /password does not open the file/],
		["an expired certificate", { p12: P12.expired, password: P12_PASSWORD }, /certificate expired on 2021-01-01T00:00:00.000Z/],
		[
			"a legacy (RC2/3DES) file, with how to re-export it",
			{ p12: P12.legacy, password: P12_PASSWORD },
			/legacy encryption.*openssl pkcs12 -legacy -in old\.p12 -nodes -out key-and-certs\.pem, then openssl pkcs12 -export -in key-and-certs\.pem -out new\.p12/,
		],
	])("refuses %s with a 400 that says why, and saves nothing", async (_what, body, message) => {
		const name = `bad-${crypto.randomUUID().slice(0, 8)}`;
		const res = await putSigningKey(name, body);
		expect(res.status).toBe(400);
		const error = ((await res.json()) as { error: { code: string; message: string; details: Array<{ path: string }> } }).error;
		expect(error.code).toBe("INVALID_REQUEST");
		expect(error.message).toMatch(message);
		expect(error.details[0]?.path).toBe("p12");
		expect((await api(`/v1/signing-keys/${name}`)).status).toBe(404);
	});

	it("refuses a bad name, an unknown field and a missing password", async () => {
		for (const [name, body] of [
			["bad.name", { p12: P12.rsa, password: P12_PASSWORD }],
			["ok", { p12: P12.rsa, password: P12_PASSWORD, extra: 1 }],
			["ok", { p12: P12.rsa }],
		] as const) {
			const res = await putSigningKey(name, body);
			expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
		}
	});

	it("never shows, logs or stores in the clear the PKCS#12, its password or the private key", async () => {
		const password = `pw-${crypto.randomUUID()}`;
		// The same file under another password would need openssl; the fixture's password is the secret here.
		const name = await savedKey(P12.rsa);
		const privateKey = base64(
			(
				await openPkcs12(
					Uint8Array.from(atob(P12.rsa), (c) => c.charCodeAt(0)),
					P12_PASSWORD,
				)
			).privateKey,
		);
		const bad = await putSigningKey(name, { p12: P12.rsa, password });
		const answers = [await bad.text(), await (await api(`/v1/signing-keys/${name}`)).text(), await (await api("/v1/signing-keys")).text()];
		const stored = await runInDurableObject(tenantStub(env, "acme"), async (_instance: TenantObject, state) =>
			JSON.stringify(state.storage.sql.exec("SELECT * FROM signing_keys").toArray()),
		);
		expect(stored).toContain(name);
		const secrets = [P12.rsa.slice(100, 160), P12_PASSWORD, password, privateKey.slice(100, 160)];
		for (const text of [...answers, ...logs().lines, stored]) for (const secret of secrets) expect(text).not.toContain(secret);
	});
});

describe("pdf.sign", () => {
	it("signs the PDF: pdfsig finds a valid ETSI.CAdES.detached signature by the key's common name, at the time of /M, over the whole file", async () => {
		const name = await savedKey();
		const pdf = await signedPdf({ key: name, reason: "Issued by ACME", location: "Berlin", contactInfo: "billing@acme.example" });
		const report = await pdfsig(pdf);
		expect(report).toContain("Signature Validation: Signature is Valid.");
		expect(report).toContain("Signer Certificate Common Name: Edge PDF Test Signer");
		expect(report).toContain("Signature Type: ETSI.CAdES.detached");
		expect(report).toContain("Signing Hash Algorithm: SHA-256");
		expect(report).toContain("Total document signed");
		const { m } = signatureOf(pdf);
		expect(report).toContain(`Signing Time: ${pdfsigTime(m)}`);
		const text = latin1(pdf);
		for (const entry of [
			"/Type /Sig",
			"/Filter /Adobe.PPKLite",
			"/SubFilter /ETSI.CAdES.detached",
			"/Reason <",
			"/Location <",
			"/ContactInfo <",
			"/SigFlags 3",
			"/Rect [ 0 0 0 0 ]",
		])
			expect(text).toContain(entry);
	});

	it("one byte changed inside the signed range: pdfsig reports the signature invalid", async () => {
		const pdf = await signedPdf({ key: await savedKey() });
		// The header's second line is a binary comment: changing it keeps the file readable.
		expect(latin1(pdf.subarray(0, 10))).toBe("%PDF-1.7\n%");
		pdf[10] = (pdf[10] ?? 0) ^ 0x01;
		const report = await pdfsig(pdf);
		expect(report).not.toContain("Signature is Valid");
		expect(report).toMatch(/Signature Validation: (Digest Mismatch|Signature is Invalid)/);
	});

	it("the CMS is PAdES B-B: content-type, message-digest and signing-certificate-v2 signed, no signing-time, the signer's chain included (ECDSA P-256)", async () => {
		const pdf = await signedPdf({ key: await savedKey(P12.ecChain) });
		expect(await pdfsig(pdf)).toContain("Signature Validation: Signature is Valid.");
		const { range, cms } = signatureOf(pdf);
		const content = ContentInfo.fromBER(cms.slice().buffer);
		expect(content.contentType).toBe("1.2.840.113549.1.7.2");
		const signed = new SignedData({ schema: content.content });
		expect(signed.encapContentInfo.eContent).toBeUndefined();
		expect(signed.certificates).toHaveLength(2);
		const signer = signed.signerInfos[0];
		expect(signer?.digestAlgorithm.algorithmId).toBe("2.16.840.1.101.3.4.2.1");
		const attributes = signer?.signedAttrs?.attributes ?? [];
		expect(attributes.map((a) => a.type)).toEqual(["1.2.840.113549.1.9.3", "1.2.840.113549.1.9.4", "1.2.840.113549.1.9.16.2.47"]);
		expect(attributes.map((a) => a.type)).not.toContain("1.2.840.113549.1.9.5");
		expect(signer?.unsignedAttrs).toBeUndefined();

		const [start = 0, first = 0, second = 0, length = 0] = range;
		const signedBytes = new Uint8Array([...pdf.subarray(start, start + first), ...pdf.subarray(second, second + length)]);
		const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", signedBytes));
		const messageDigest = attributes[1]?.values[0] as OctetString;
		expect(new Uint8Array(messageDigest.valueBlock.valueHexView)).toEqual(digest);
		// SigningCertificateV2 { certs [ ESSCertIDv2 { certHash } ] }: SHA-256 is the default hash, so omitted.
		const v2 = attributes[2]?.values[0] as Sequence;
		const essCertId = (v2.valueBlock.value[0] as Sequence).valueBlock.value[0] as Sequence;
		const certHash = essCertId.valueBlock.value[0] as OctetString;
		const signerHash = new Uint8Array(await crypto.subtle.digest("SHA-256", pemToDer(CERT_PEM.ec)));
		expect(new Uint8Array(certHash.valueBlock.valueHexView)).toEqual(signerHash);
		expect(fromBER(cms.slice().buffer).offset).toBe(cms.byteLength);
	});

	it("a merged render is signed once, over the merged file", async () => {
		const name = await savedKey();
		const job = await renderToEnd({ parts: [{ html: "<p>one</p>" }, { html: "<p>two</p>" }], pdf: { sign: { key: name } } });
		expect(job.status).toBe("succeeded");
		const pdf = new Uint8Array(await (await download(job.document?.url ?? null)).arrayBuffer());
		const report = await pdfsig(pdf);
		expect(report).toContain("Signature Validation: Signature is Valid.");
		expect(report).toContain("Total document signed");
		expect(report.match(/Signature #/g)).toHaveLength(1);
	});

	it("an unknown or expired key is refused at request time (400 naming pdf.sign.key); a part or a screenshot cannot sign", async () => {
		const expired = `old-${crypto.randomUUID().slice(0, 8)}`;
		// Saved before it expired (the API refuses it now): its row as it would be.
		await tenantStub(env, "acme").putSigningKey(
			expired,
			{ subject: "CN=x", issuer: "CN=x", notBefore: "2020-01-01T00:00:00.000Z", notAfter: "2021-01-01T00:00:00.000Z", sha256Fingerprint: "00" },
			"v1.sealed.elsewhere",
		);
		for (const [key, message] of [
			["no-such-key", /no signing key named no-such-key/],
			[expired, new RegExp(`the signing key ${expired} has expired`)],
		] as const) {
			const res = await postRender({ html: "<p>x</p>", pdf: { sign: { key } } });
			expect(res.status).toBe(400);
			const { error } = (await res.json()) as { error: { code: string; message: string; details: Array<{ path: string }> } };
			expect(error).toMatchObject({ code: "INVALID_REQUEST", details: [{ path: "pdf.sign.key" }] });
			expect(error.message).toMatch(message);
		}
		const name = await savedKey();
		const part = await postRender({ parts: [{ html: "<p>x</p>", pdf: { sign: { key: name } } }] });
		expect(part.status).toBe(400);
		const screenshot = await postRender({ html: "<p>x</p>", output: "png", pdf: { sign: { key: name } } });
		expect(screenshot.status).toBe(400);
		expect(JSON.stringify(await screenshot.json())).toContain("pdf.sign");
	});

	it.each([
		["deleted", (name: string) => api(`/v1/signing-keys/${name}`, { method: "DELETE" }), /signing key \S+ no longer exists/],
		[
			"expired",
			(name: string) =>
				runInDurableObject(tenantStub(env, "acme"), async (_instance: TenantObject, state) => {
					const row = state.storage.sql.exec<{ certificate: string }>("SELECT certificate FROM signing_keys WHERE name = ?", name).one();
					const certificate = { ...JSON.parse(row.certificate), notAfter: "2026-01-01T00:00:00.000Z" };
					state.storage.sql.exec("UPDATE signing_keys SET certificate = ? WHERE name = ?", JSON.stringify(certificate), name);
				}),
			/signing key \S+ has expired/,
		],
	])("a key %s after the render was accepted fails it FINISH_FAILED, naming the key", async (_what, change, message) => {
		const name = await savedKey();
		const { job } = await storedJob({ pdf: { sign: { key: name } } }, "<p>accepted</p>");
		await change(name);
		const browser = new SharedBrowser(env);
		try {
			const result = await runJob(env, job.id, browser, "fast");
			expect(result).toMatchObject({ kind: "failed", error: { code: "FINISH_FAILED" } });
		} finally {
			await browser.release();
		}
		const failed = await getJob(job.id);
		expect(failed.status).toBe("failed");
		expect(failed.error?.code).toBe("FINISH_FAILED");
		expect(failed.error?.message).toMatch(message);
		expect(failed.error?.message).toContain(name);
	});
});
