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

export const SavedDestinationInput = z
	.strictObject({
		type: z.literal("s3"),
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
		accessKeyId: z
			.string()
			.min(1)
			.max(256)
			.regex(/^[\x21-\x7e]+$/, "printable ASCII"),
		secretAccessKey: z
			.string()
			.min(1)
			.max(256)
			.regex(/^[\x21-\x7e]+$/, "printable ASCII"),
		forcePathStyle: z.boolean().default(false).openapi({ description: "endpoint/bucket/key instead of bucket.endpoint/key" }),
	})
	.openapi("SavedDestinationInput");
export type SavedDestinationInput = z.infer<typeof SavedDestinationInput>;

/** A saved destination as the API shows it: no secret, only the access key id's last 4 characters. */
export const SavedDestination = z
	.object({
		object: z.literal("destination"),
		name: z.string(),
		type: z.literal("s3"),
		endpoint: z.string(),
		region: z.string(),
		bucket: z.string(),
		forcePathStyle: z.boolean(),
		accessKeyIdHint: z.string().openapi({ example: "…WXYZ" }),
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
