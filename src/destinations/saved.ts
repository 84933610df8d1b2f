// A tenant's saved S3 destinations: the credentials are sealed before they reach the tenant's
// Durable Object and only opened to sign a request; views show a hint of the access key id only.
import { config } from "../config";
import {
	type DestinationCheck,
	type DestinationConfig,
	S3Credentials,
	type S3Target,
	type SavedDestination,
	type SavedDestinationInput,
} from "../schemas/destination";
import { parseStored } from "../schemas/stored";
import { open, seal } from "../security/secret-box";
import { checkUrl, type UrlVerdict } from "../security/url-policy";
import type { DestinationRow } from "../tenants/settings";
import { tenantStub } from "../tenants/tenant-object";
import { send } from "./http";
import { objectUrl, signedS3Request } from "./s3";

const context = (name: string) => `destination:${name}`;

/** The address policy for destination URLs and endpoints: https only outside local development. */
export function checkDestinationUrl(env: Env, raw: string): UrlVerdict {
	const { allowPrivateNetwork } = config(env);
	return checkUrl(raw, { allowPrivateNetwork, requireHttps: !allowPrivateNetwork });
}

export function destinationView(row: DestinationRow): SavedDestination {
	return {
		object: "destination",
		name: row.name,
		type: "s3",
		...row.config,
		createdAt: new Date(row.createdAt).toISOString(),
		updatedAt: new Date(row.updatedAt).toISOString(),
	};
}

export async function saveDestination(
	env: Env,
	tenantId: string,
	name: string,
	input: SavedDestinationInput,
): Promise<{ created: boolean; view: SavedDestination }> {
	const { type: _type, accessKeyId, secretAccessKey, ...target } = input;
	const sealed = await seal(env, tenantId, context(name), JSON.stringify({ accessKeyId, secretAccessKey } satisfies S3Credentials));
	const config: DestinationConfig = { ...target, accessKeyIdHint: `…${accessKeyId.slice(-4)}` };
	const { created, row } = await tenantStub(env, tenantId).putDestination(name, config, sealed);
	return { created, view: destinationView(row) };
}

export interface LoadedDestination {
	target: S3Target;
	credentials: S3Credentials;
}

/**
 * The destination's address and opened credentials, or null when the tenant has none by that name.
 * Sealed credentials that open to something else than S3Credentials throw CorruptedStore, whose
 * message names the missing or wrong fields only.
 */
export async function loadDestination(env: Env, tenantId: string, name: string): Promise<LoadedDestination | null> {
	const row = await tenantStub(env, tenantId).getDestination(name);
	if (!row) return null;
	const credentials = parseStored(S3Credentials, `credentials of destination "${name}"`, await open(env, tenantId, context(name), row.sealed));
	const { accessKeyIdHint: _hint, ...target } = row.config;
	return { target, credentials };
}

/** Each request of a check waits this long at most: a caller is waiting for the answer. */
export const CHECK_TIMEOUT_MS = 15_000;

/** Writes and deletes a small probe object. */
export async function checkDestination(env: Env, saved: LoadedDestination): Promise<DestinationCheck> {
	const key = `.edge-pdf-check/${crypto.randomUUID()}.txt`;
	const verdict = checkDestinationUrl(env, saved.target.endpoint);
	if (!verdict.ok) return { ok: false, key, put: { httpStatus: null, durationMs: 0, error: `the endpoint is not allowed: ${verdict.reason}` }, delete: null };
	const url = objectUrl(saved.target, key);
	const body = "edge-pdf destination check\n";
	const sign = (init: Parameters<typeof signedS3Request>[3]) => signedS3Request(saved.target, saved.credentials, url, init);
	const put = await send(await sign({ method: "PUT", headers: { "content-type": "text/plain" }, body }), CHECK_TIMEOUT_MS);
	const wrote = put.httpStatus !== null && put.httpStatus >= 200 && put.httpStatus < 300;
	const removed = wrote ? await send(await sign({ method: "DELETE" }), CHECK_TIMEOUT_MS) : null;
	const removedOk = removed?.httpStatus != null && removed.httpStatus >= 200 && removed.httpStatus < 300;
	const attempt = (a: typeof put) => ({ httpStatus: a.httpStatus, durationMs: a.durationMs, error: a.error });
	return { ok: wrote && removedOk, key, put: attempt(put), delete: removed && attempt(removed) };
}
