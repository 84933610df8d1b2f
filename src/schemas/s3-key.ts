// S3 object keys as edge-pdf writes them: a path under the bucket, never a way out of it. A URL
// parser resolves `.` and `..` segments (and `%2e` spellings of them), so a key such as
// `a/../../other-bucket/x` would send a path-style request to another bucket: such keys are refused.

/** S3's own limit on a key, in UTF-8 bytes. */
export const MAX_S3_KEY_BYTES = 1024;

/** A segment that is neither `.` nor `..`: dots then another character, or three dots or more. */
const SEGMENT = String.raw`(?:\.*[^./\r\n\0][^/\r\n\0]*|\.{3,})`;

/**
 * No leading `/` (the first segment is not empty), no `.` or `..` segment, no CR, LF or NUL. Also the
 * schema's pattern, spelled without lookarounds so that JSON Schema tools can generate from it.
 */
export const S3_KEY_PATTERN = new RegExp(String.raw`^${SEGMENT}(?:\/${SEGMENT}?)*$`);

const S3_KEY_RULE = "must not start with / nor have a . or .. segment, CR, LF or NUL";

/** Why `key` cannot be written as is, or null when it can. */
export function s3KeyProblem(key: string): string | null {
	if (!S3_KEY_PATTERN.test(key)) return S3_KEY_RULE;
	const bytes = new TextEncoder().encode(key).byteLength;
	if (bytes > MAX_S3_KEY_BYTES) return `must be at most ${MAX_S3_KEY_BYTES} bytes (it has ${bytes})`;
	return null;
}
