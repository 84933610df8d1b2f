// /v1/signing-keys: a tenant's keys for signing PDFs (a render's `pdf.sign`). The PKCS#12 file and
// its password come in once: the file is opened, its certificate described, its key sealed; neither
// the file, the password nor the key is ever returned or logged. Shares the tenant's rate limit with
// renders and fonts.
import { createRoute } from "@hono/zod-openapi";
import { errorResponse } from "../schemas/error";
import { SigningKeyInput, SigningKeyList, SigningKeyParam, SigningKeyView } from "../schemas/signing-key";
import { saveSigningKey, signingKeyView } from "../signing/keys";
import { Pkcs12Refusal } from "../signing/pkcs12";
import { tenantStub } from "../tenants/tenant-object";
import { ApiError } from "./errors";
import { jsonResponse, unauthorized } from "./responses";
import { createRouter, rateLimit, requireJson, settingsBody } from "./router";

const limited = errorResponse("Too many requests (the tenant's rate limit, shared with renders and fonts); see Retry-After", "Retry-After");
const missing = errorResponse("No signing key by that name");

const putSigningKey = createRoute({
	method: "put",
	path: "/{name}",
	operationId: "putSigningKey",
	summary: "Save a signing key (PKCS#12)",
	description:
		"Opens the PKCS#12 file with its password and saves its private key, sealed, with its certificates; creates (201) or replaces (200) the key. The file and the password are never stored or returned. Files in OpenSSL 3's default encryption (AES-256-CBC, PBKDF2) are accepted; a legacy one (RC2 or 3DES) is refused with how to re-export it. RSA and ECDSA P-256 keys.",
	middleware: [rateLimit, settingsBody, requireJson] as const,
	request: { params: SigningKeyParam, body: { content: { "application/json": { schema: SigningKeyInput } }, required: true } },
	responses: {
		200: jsonResponse("Replaced", SigningKeyView),
		201: jsonResponse("Created", SigningKeyView),
		400: errorResponse("Invalid body; a file that is not a PKCS#12, a wrong password, a legacy encryption, an unsupported key or an expired certificate"),
		401: unauthorized,
		413: errorResponse("Body larger than 64 KiB"),
		415: errorResponse("Body is not JSON"),
		429: limited,
	},
});

const listSigningKeys = createRoute({
	method: "get",
	path: "/",
	operationId: "listSigningKeys",
	summary: "List the tenant's signing keys (certificates only)",
	middleware: [rateLimit] as const,
	responses: { 200: jsonResponse("The signing keys, by name", SigningKeyList), 401: unauthorized, 429: limited },
});

const getSigningKey = createRoute({
	method: "get",
	path: "/{name}",
	operationId: "getSigningKey",
	summary: "Read a signing key's certificate",
	middleware: [rateLimit] as const,
	request: { params: SigningKeyParam },
	responses: { 200: jsonResponse("The signing key", SigningKeyView), 401: unauthorized, 404: missing, 429: limited },
});

const deleteSigningKey = createRoute({
	method: "delete",
	path: "/{name}",
	operationId: "deleteSigningKey",
	summary: "Delete a signing key",
	description: "Renders accepted with this key and not yet finished fail with FINISH_FAILED.",
	middleware: [rateLimit] as const,
	request: { params: SigningKeyParam },
	responses: { 204: { description: "Deleted" }, 401: unauthorized, 404: missing, 429: limited },
});

const notFound = (name: string) => new ApiError(404, "NOT_FOUND", `no signing key ${name}`);

export const signingKeys = createRouter()
	.openapi(putSigningKey, async (c) => {
		const { name } = c.req.valid("param");
		try {
			const { created, view } = await saveSigningKey(c.env, c.var.tenantId, name, c.req.valid("json"));
			return created ? c.json(view, 201) : c.json(view, 200);
		} catch (err) {
			if (!(err instanceof Pkcs12Refusal)) throw err;
			throw new ApiError(400, "INVALID_REQUEST", `the signing key cannot be used: ${err.message}`, { details: [{ path: "p12", message: err.message }] });
		}
	})
	.openapi(listSigningKeys, async (c) => {
		const rows = await tenantStub(c.env, c.var.tenantId).listSigningKeys();
		return c.json({ object: "list" as const, data: rows.map(signingKeyView) }, 200);
	})
	.openapi(getSigningKey, async (c) => {
		const { name } = c.req.valid("param");
		const row = await tenantStub(c.env, c.var.tenantId).getSigningKey(name);
		if (!row) throw notFound(name);
		return c.json(signingKeyView(row), 200);
	})
	.openapi(deleteSigningKey, async (c) => {
		const { name } = c.req.valid("param");
		if (!(await tenantStub(c.env, c.var.tenantId).deleteSigningKey(name))) throw notFound(name);
		return c.body(null, 204);
	});
