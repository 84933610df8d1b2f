// The one account test/support/s3-server.ts accepts (a test fixture, not a real credential).
export const S3_TEST_CREDENTIALS = { accessKeyId: "AKIAEDGEPDFTEST00001", secretAccessKey: "edgePdfTestSecret/0123456789+abcdefghijKLMN" } as const;
