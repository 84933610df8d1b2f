// GET|HEAD /v1/files/{id}: signed, expiring downloads with Range, ETag and Content-Disposition.
// No API key: the signature is the credential. 403 bad signature, 410 expired, 404 deleted.
import { createRoute, z } from "@hono/zod-openapi";
import { isJobId, jobStub } from "../jobs/ids";
import { errorResponse } from "../schemas/error";
import { contentDisposition } from "../storage/documents";
import { checkSignedRequest } from "../storage/signed-links";
import { ApiError } from "./errors";
import { createRouter } from "./router";

const download = createRoute({
	method: "get",
	path: "/{id}",
	summary: "Download a rendered PDF (signed link)",
	request: {
		params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) }),
		query: z.object({ expires: z.string().optional(), signature: z.string().optional() }),
	},
	responses: {
		200: { description: "The PDF", content: { "application/pdf": { schema: z.string().openapi({ format: "binary" }) } } },
		206: { description: "A byte range of the PDF" },
		304: { description: "Not modified (If-None-Match)" },
		403: errorResponse("Missing or invalid signature"),
		404: errorResponse("The document was deleted or never existed"),
		410: errorResponse("The link has expired"),
		416: errorResponse("Range not satisfiable"),
	},
});

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

export const files = createRouter().openapi(download, async (c) => {
	const { id } = c.req.valid("param");
	const url = new URL(c.req.url);
	const check = await checkSignedRequest(c.env, c.req.method, url, Math.floor(Date.now() / 1000));
	if (check === "invalid") throw new ApiError(403, "FORBIDDEN", "the link's signature is missing or invalid");
	if (check === "expired") throw new ApiError(410, "GONE", "the link has expired; read the job again for a fresh one");

	const job = isJobId(id) ? await jobStub(c.env, id).readForDownload() : null;
	const doc = job?.status === "succeeded" ? job.document : null;
	if (!doc) throw new ApiError(404, "NOT_FOUND", "the document does not exist or was deleted");

	if (c.req.method === "HEAD") {
		const head = await c.env.DOCUMENTS.head(doc.key);
		if (!head) throw new ApiError(404, "NOT_FOUND", "the document does not exist or was deleted");
		const headers = pdfHeaders(head, doc.filename);
		headers.set("Content-Length", String(head.size));
		return c.body(null, 200, Object.fromEntries(headers));
	}

	let object: R2Object | R2ObjectBody | null;
	try {
		object = await c.env.DOCUMENTS.get(doc.key, { range: c.req.raw.headers, onlyIf: c.req.raw.headers });
	} catch {
		throw new ApiError(416, "RANGE_NOT_SATISFIABLE", "the requested range is not satisfiable", undefined, { "Content-Range": `bytes */${doc.sizeBytes}` });
	}
	if (!object) throw new ApiError(404, "NOT_FOUND", "the document does not exist or was deleted");
	const headers = pdfHeaders(object, doc.filename);
	if (!("body" in object)) return c.body(null, 304, Object.fromEntries(headers));

	const range = object.range as { offset: number; length: number } | undefined;
	if (c.req.header("range") && range) {
		const end = range.offset + range.length - 1;
		headers.set("Content-Range", `bytes ${range.offset}-${end}/${object.size}`);
		headers.set("Content-Length", String(range.length));
		return c.body(object.body, 206, Object.fromEntries(headers));
	}
	headers.set("Content-Length", String(object.size));
	return c.body(object.body, 200, Object.fromEntries(headers));
});
