// Delivery to the customer's storage: a tenant's saved S3 destinations (secrets go in, never come
// out) and what a delivered job reports. A render's own `destination` is in render-request.ts.
import { z } from "@hono/zod-openapi";
import { httpUrl } from "./url";

export const DESTINATION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Where a delivered document went: the job's `document.destination`. */
export const DeliveredDestination = z
	.object({
		type: z.enum(["presigned_put", "s3"]),
		bucket: z.string().nullable(),
		key: z.string().nullable(),
		url: z.string().nullable().openapi({ description: "The presigned URL without its query" }),
		etag: z.string().nullable(),
		sizeBytes: z.number().int(),
		deliveredAt: z.string(),
	})
	.openapi("DeliveredDestination");
export type DeliveredDestination = z.infer<typeof DeliveredDestination>;

/** The address of a saved destination as stored and shown: where its objects go, no secret. */
export const S3Target = z.object({ endpoint: z.string(), region: z.string(), bucket: z.string(), forcePathStyle: z.boolean() });
export type S3Target = z.infer<typeof S3Target>;

/** A saved destination's keys, as sealed at rest and opened to sign a request. */
export const S3Credentials = z.object({ accessKeyId: z.string(), secretAccessKey: z.string() });
export type S3Credentials = z.infer<typeof S3Credentials>;

/**
 * The non-secret part of a saved destination, stored in the clear: the address and the access key
 * id's last 4 characters. Stored values are checked for this shape only; the input rules below
 * (and the address policy, and the key checks, at use) are applied where a value comes in or goes out.
 */
export const DestinationConfig = S3Target.extend({ accessKeyIdHint: z.string().openapi({ example: "…WXYZ" }) });
export type DestinationConfig = z.infer<typeof DestinationConfig>;

/** The rules each field of a saved destination is held to when a tenant sends it, keyed like the stored shapes. */
type Rules<T> = { [K in keyof T]-?: z.ZodType<T[K], unknown> };
const printableKey = () =>
	z
		.string()
		.min(1)
		.max(256)
		.regex(/^[\x21-\x7e]+$/, "printable ASCII");
const targetRules = {
	endpoint: httpUrl(2048).openapi({ example: "https://ACCOUNT_ID.r2.cloudflarestorage.com" }),
	region: z
		.string()
		.min(1)
		.max(64)
		.regex(/^[a-z0-9-]+$/, "must look like us-east-1 or auto")
		.openapi({ example: "auto" }),
	bucket: z
		.string()
		.min(1)
		.max(255)
		// Not "." or "..": a path-style address would resolve it out of the path.
		.regex(/^(?:\.*[A-Za-z0-9_-][A-Za-z0-9._-]*|\.{3,})$/, "must be a bucket name"),
	forcePathStyle: z.boolean().default(false).openapi({ description: "endpoint/bucket/key instead of bucket.endpoint/key" }),
} satisfies Rules<S3Target>;
const credentialRules = { accessKeyId: printableKey(), secretAccessKey: printableKey() } satisfies Rules<S3Credentials>;

export const SavedDestinationInput = z
	.strictObject({
		type: z.literal("s3"),
		// In the order the OpenAPI document has always listed them.
		endpoint: targetRules.endpoint,
		region: targetRules.region,
		bucket: targetRules.bucket,
		...credentialRules,
		forcePathStyle: targetRules.forcePathStyle,
	})
	.openapi("SavedDestinationInput");
export type SavedDestinationInput = z.infer<typeof SavedDestinationInput>;

/** A saved destination as the API shows it: no secret, only the access key id's last 4 characters. */
export const SavedDestination = z
	.object({
		object: z.literal("destination"),
		name: z.string(),
		type: z.literal("s3"),
		...DestinationConfig.shape,
		createdAt: z.string(),
		updatedAt: z.string(),
	})
	.openapi("SavedDestination");
export type SavedDestination = z.infer<typeof SavedDestination>;

export const DestinationAttempt = z
	.object({ httpStatus: z.number().int().nullable(), durationMs: z.number().int(), error: z.string().nullable() })
	.openapi("DestinationAttempt");
export type DestinationAttempt = z.infer<typeof DestinationAttempt>;

export const DestinationCheck = z
	.object({ ok: z.boolean(), key: z.string(), put: DestinationAttempt, delete: DestinationAttempt.nullable() })
	.openapi("DestinationCheck");
export type DestinationCheck = z.infer<typeof DestinationCheck>;
