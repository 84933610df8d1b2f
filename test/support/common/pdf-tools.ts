// Common (types only): what the PDF tools server (node/pdf-tools-server.ts) answers a test with.

/** One tool run: its exit code, stdout as base64 (binary for pdftoppm), stderr as text. */
export interface ToolAnswer {
	code: number;
	stdout: string;
	stderr: string;
}
