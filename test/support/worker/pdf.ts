// Worker side: runs inside workerd, imported by the tests.
// Real PDF checks with pdf.js (unpdf): magic bytes, page count, page size, text.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { Job } from "../../../src/schemas/job";
import { download, renderToEnd } from "./api";
import { readPdf, type PdfFacts } from "../common/pdf-info";

export { readPdf, type PdfFacts };

export const MM = 72 / 25.4;

/** A synchronous render's answer: expects the PDF itself, and returns its text. */
export async function answeredPdfText(res: Response): Promise<string> {
	expect(res.status, res.status === 200 ? "" : await res.clone().text()).toBe(200);
	expect(res.headers.get("content-type")).toBe("application/pdf");
	return (await readPdf(await res.arrayBuffer())).text;
}

/** Renders `body` asynchronously, expects success, and reads the PDF back through its signed link. */
export async function renderPdf(body: Record<string, unknown>): Promise<{ job: Job; bytes: Uint8Array; facts: PdfFacts }> {
	const job = await renderToEnd(body);
	expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
	const res = await download(job.document!.url);
	expect(res.status).toBe(200);
	const bytes = new Uint8Array(await res.arrayBuffer());
	return { job, bytes, facts: await readPdf(bytes) };
}

/** Keys of the job's documents in R2: one after a success, none after a failure or a cancel. */
export async function storedDocuments(jobId: string, tenantId = "acme"): Promise<string[]> {
	return (await env.DOCUMENTS.list({ prefix: `documents/${tenantId}/${jobId}` })).objects.map((o) => o.key);
}

/** The job's one stored document, read from R2 (not through a link). */
export async function storedPdf(jobId: string, tenantId = "acme"): Promise<{ bytes: Uint8Array; facts: PdfFacts }> {
	const keys = await storedDocuments(jobId, tenantId);
	expect(keys).toHaveLength(1);
	const bytes = new Uint8Array(await (await env.DOCUMENTS.get(keys[0]!))!.arrayBuffer());
	return { bytes, facts: await readPdf(bytes) };
}
