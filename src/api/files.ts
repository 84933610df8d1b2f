// GET|HEAD /v1/files/{id}: signed, expiring downloads with Range, ETag and Content-Disposition.
// No API key: the signature is the credential. 403 bad signature, 410 expired, 404 deleted.
// Preconditions and ranges follow RFC 9110 and are decided here (src/api/ranges.ts), then only the
// chosen bytes are read from R2. HEAD runs the same decisions and answers the same status and headers.
import { createRoute, z } from "@hono/zod-openapi";
import { isJobId, jobStub } from "../jobs/ids";
import { errorResponse } from "../schemas/error";
import { responseHeaders } from "../schemas/headers";
import { contentDisposition } from "../storage/documents";
import { checkSignedRequest } from "../storage/signed-links";
import { ApiError } from "./errors";
import { decideRange, ifMatchPasses, ifNoneMatchHits, ifRangePasses, type RangeDecision } from "./ranges";
import { createRouter } from "./router";

const PDF_HEADERS = responseHeaders("Content-Disposition", "ETag", "Accept-Ranges", "Content-Length");
const pdfBody = { "application/pdf": { schema: z.string().openapi({ format: "binary" }) } };

const download = createRoute({
	method: "get",
	path: "/{id}",
	operationId: "downloadFile",
	summary: "Download a rendered PDF (signed link)",
	description:
		"No API key: the signature is the credential. HEAD answers as GET without a body. One `bytes` range answers 206; several ranges or another unit answer 200 with the whole file; a malformed or unsatisfiable range answers 416 with `Content-Range: bytes */<size>`. If-Match failing: 412; If-None-Match matching: 304; If-Range not matching the ETag: 200 with the whole file.",
	// The signed link is the credential, not an API key.
	security: [],
	request: {
		params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) }),
		query: z.object({
			expires: z.string().optional().openapi({ description: "Unix seconds; part of the signed link" }),
			signature: z.string().optional().openapi({ description: "base64url HMAC-SHA256; part of the signed link" }),
		}),
	},
	responses: {
		200: { description: "The PDF", headers: PDF_HEADERS, content: pdfBody },
		206: { description: "A byte range of the PDF", headers: { ...PDF_HEADERS, ...responseHeaders("Content-Range") }, content: pdfBody },
		304: { description: "Not modified (If-None-Match)", headers: PDF_HEADERS },
		403: errorResponse("Missing or invalid signature"),
		404: errorResponse("The document was deleted or never existed"),
		410: errorResponse("The link has expired"),
		412: errorResponse("If-Match did not match the document's ETag", "ETag"),
		416: errorResponse("Range malformed or not satisfiable", "Content-Range", "ETag"),
		500: errorResponse("Internal error"),
	},
});

/** HEAD is answered by the GET route (Hono runs GET and drops the body); documented on its own. */
const downloadHead = {
	...download,
	method: "head" as const,
	operationId: "headFile",
	summary: "Size, ETag and filename of a rendered PDF (signed link; verified as GET)",
	responses: {
		200: { description: "The PDF's headers, no body", headers: PDF_HEADERS },
		403: download.responses[403],
		404: download.responses[404],
		410: download.responses[410],
		500: download.responses[500],
	},
};

function pdfHeaders(object: R2Object, filename: string): Headers {
	const headers = new Headers();
	object.writeHttpMetadata(headers);
	// The stored type: a PDF, or a screenshot's image type.
	headers.set("Content-Type", object.httpMetadata?.contentType ?? "application/pdf");
	headers.set("Content-Disposition", object.httpMetadata?.contentDisposition ?? contentDisposition(filename));
	headers.set("ETag", object.httpEtag);
	headers.set("Accept-Ranges", "bytes");
	headers.set("Cache-Control", "private, no-transform");
	return headers;
}

const gone = () => new ApiError(404, "NOT_FOUND", "the document does not exist or was deleted");

/** §13.2.2 order: If-Match, If-None-Match, then the range (If-Range may cancel it). */
function decide(request: Request, object: R2Object): { status: 304 } | RangeDecision {
	const h = request.headers;
	const ifMatch = h.get("if-match");
	if (ifMatch !== null && !ifMatchPasses(ifMatch, object.httpEtag)) {
		throw new ApiError(412, "PRECONDITION_FAILED", "If-Match does not match the document's ETag", { headers: { ETag: object.httpEtag } });
	}
	const ifNoneMatch = h.get("if-none-match");
	if (ifNoneMatch !== null && ifNoneMatchHits(ifNoneMatch, object.httpEtag)) return { status: 304 };
	if (!ifRangePasses(h.get("if-range"), object.httpEtag)) return { kind: "full" };
	return decideRange(h.get("range"), object.size);
}

export const files = createRouter();
files.openAPIRegistry.registerPath(downloadHead);
files.openapi(download, async (c) => {
	const { id } = c.req.valid("param");
	const url = new URL(c.req.url);
	const check = await checkSignedRequest(c.env, c.req.method, url, Math.floor(Date.now() / 1000));
	if (check === "invalid") throw new ApiError(403, "FORBIDDEN", "the link's signature is missing or invalid");
	if (check === "expired") throw new ApiError(410, "GONE", "the link has expired; read the job again for a fresh one");

	const job = isJobId(id) ? await jobStub(c.env, id).readForDownload() : null;
	const doc = job?.status === "succeeded" ? job.document : null;
	if (!doc) throw gone();
	const head = await c.env.DOCUMENTS.head(doc.key);
	if (!head) throw gone();

	const headers = pdfHeaders(head, doc.filename);
	const decision = decide(c.req.raw, head);
	if ("status" in decision) return c.body(null, 304, Object.fromEntries(headers));
	if (decision.kind === "unsatisfiable") {
		throw new ApiError(416, "RANGE_NOT_SATISFIABLE", "the requested range is malformed or not satisfiable", {
			headers: {
				"Content-Range": `bytes */${head.size}`,
				ETag: head.httpEtag,
			},
		});
	}
	const partial = decision.kind === "partial";
	const length = partial ? decision.end - decision.start + 1 : head.size;
	headers.set("Content-Length", String(length));
	if (partial) headers.set("Content-Range", `bytes ${decision.start}-${decision.end}/${head.size}`);
	const status = partial ? 206 : 200;
	if (c.req.method === "HEAD") return c.body(null, status, Object.fromEntries(headers));

	const object = await c.env.DOCUMENTS.get(doc.key, partial ? { range: { offset: decision.start, length } } : {});
	if (!object) throw gone();
	return c.body(object.body, status, Object.fromEntries(headers));
});
