// S3-compatible object addresses and requests, signed with SigV4 by aws4fetch (never by hand).
import { AwsClient } from "aws4fetch";
import type { S3Credentials, S3Target } from "../schemas/destination";
import { s3KeyProblem } from "../schemas/s3-key";

/** `{id}`, `{filename}` and `{date}` (UTC day of the job's creation, so retries agree) in a key template. */
export function expandKey(template: string, job: { id: string; filename: string; createdAt: number }): string {
	const date = new Date(job.createdAt).toISOString().slice(0, 10);
	return template.replaceAll("{id}", job.id).replaceAll("{filename}", job.filename).replaceAll("{date}", date);
}

/** Each path segment percent-encoded (RFC 3986), "/" kept: what S3 signs as the canonical URI. */
function encodeKey(key: string): string {
	return key
		.split("/")
		.map((part) => encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
		.join("/");
}

/** An object key the address of which could leave its bucket: never sent. */
export class UnsafeKey extends Error {}

/**
 * Path style: endpoint/bucket/key; virtual-hosted style: bucket.endpoint-host/key. Keys with a
 * leading `/` or a `.`/`..` segment are refused (percent-encoding cannot save them: a URL parser
 * reads %2e as a dot too), and the parsed URL must keep exactly the path built here.
 */
export function objectUrl(target: Pick<S3Target, "endpoint" | "bucket" | "forcePathStyle">, key: string): URL {
	const problem = s3KeyProblem(key);
	if (problem) throw new UnsafeKey(`the object key ${problem}`);
	const base = new URL(target.endpoint);
	const prefix = base.pathname.replace(/\/+$/, "");
	const path = target.forcePathStyle ? `${prefix}/${encodeKey(target.bucket)}/${encodeKey(key)}` : `${prefix}/${encodeKey(key)}`;
	const host = target.forcePathStyle ? base.host : `${target.bucket}.${base.host}`;
	const url = new URL(`${base.protocol}//${host}${path}`);
	if (url.pathname !== path) throw new UnsafeKey("the object's address would leave its bucket");
	return url;
}

/**
 * A signed request for one object. No automatic retries (aws4fetch's default is 10): the delivery
 * step decides about retries itself, so a 403 is sent once and a 503 waits on the queue's backoff.
 */
export async function signedS3Request(
	target: S3Target,
	credentials: S3Credentials,
	url: URL,
	init: { method: "PUT" | "DELETE"; headers?: Record<string, string>; body?: BodyInit | null },
): Promise<Request> {
	const client = new AwsClient({ ...credentials, region: target.region, service: "s3", retries: 0 });
	return client.sign(url.toString(), { method: init.method, headers: init.headers, body: init.body ?? null });
}
