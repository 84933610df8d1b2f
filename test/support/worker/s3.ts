// Worker side: helpers for the S3 server of node/s3-server.ts: saved destinations pointing
// at it, presigned URLs for it, and what it stored and was asked.
import { AwsV4Signer } from "aws4fetch";
import { inject } from "vitest";
import type { S3Request, StoredObject } from "../common/servers";
import { S3_TEST_CREDENTIALS } from "../common/s3-account";
import { api } from "./api";
import { serverJson } from "./server-json";

export { S3_TEST_CREDENTIALS };

export const s3Origin = () => inject("s3Origin");

/** A saved destination's body that validates, for tests that never deliver to it. */
export const EXAMPLE_DESTINATION = {
	type: "s3",
	endpoint: "https://s3.example.com",
	region: "us-east-1",
	bucket: "invoices",
	accessKeyId: "AKIAEXAMPLE000012345",
	secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
} as const;

/** A bucket name no other test uses; the prefix picks the server's behaviour ("flaky-", "forbidden-", "hang-"). */
export const bucketName = (prefix = "b") => `${prefix}-${crypto.randomUUID().slice(0, 12)}`;

export function destinationBody(bucket: string, credentials: { accessKeyId: string; secretAccessKey: string } = S3_TEST_CREDENTIALS) {
	return { type: "s3", endpoint: s3Origin(), region: "us-east-1", bucket, forcePathStyle: true, ...credentials };
}

/** Saves a destination named `name` for the tenant of `key` (default acme). */
export async function saveDestination(name: string, body: Record<string, unknown>, key?: string): Promise<Response> {
	return api(`/v1/destinations/${name}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body), key });
}

/** A SigV4 presigned PUT URL for bucket/key, signed with `secretAccessKey`. */
export async function presignedPut(bucket: string, key: string, secretAccessKey: string = S3_TEST_CREDENTIALS.secretAccessKey): Promise<string> {
	const signer = new AwsV4Signer({
		method: "PUT",
		url: `${s3Origin()}/${bucket}/${key}`,
		accessKeyId: S3_TEST_CREDENTIALS.accessKeyId,
		secretAccessKey,
		region: "us-east-1",
		service: "s3",
		signQuery: true,
	});
	return (await signer.sign()).url.toString();
}

export async function storedObjects(bucket: string): Promise<StoredObject[]> {
	return serverJson<StoredObject[]>(`${s3Origin()}/__s3/objects/${bucket}`);
}

export async function s3Requests(bucket: string): Promise<S3Request[]> {
	return serverJson<S3Request[]>(`${s3Origin()}/__s3/requests/${bucket}`);
}
