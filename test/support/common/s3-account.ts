// Common: imported on both sides (Node and workerd), so it imports neither node:* nor cloudflare:* modules.
// The one account node/s3-server.ts accepts (a test fixture, not a real credential).
export const S3_TEST_CREDENTIALS = { accessKeyId: "AKIAEDGEPDFTEST00001", secretAccessKey: "edgePdfTestSecret/0123456789+abcdefghijKLMN" } as const;
