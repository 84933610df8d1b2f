// GET|HEAD /v1/files/{id}/preview: a document's first-page thumbnail behind its own signed link
// (the signature covers this path, so a document link never opens the preview or the reverse).
import { createRoute, z } from "@hono/zod-openapi";
import { isJobId, jobStub } from "../jobs/ids";
import { errorResponse } from "../schemas/error";
import { responseHeaders } from "../schemas/headers";
import { checkSignedRequest } from "../storage/signed-links";
import { ApiError } from "./errors";
import { createRouter } from "./router";

const downloadPreview = createRoute({
	method: "get",
	path: "/{id}/preview",
	operationId: "downloadPreview",
	summary: "Download a document's first-page preview (signed link)",
	// The signed link is the credential, not an API key.
	security: [],
	request: {
		params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) }),
		query: z.object({ expires: z.string().optional(), signature: z.string().optional() }),
	},
	responses: {
		200: {
			description: "The preview image",
			headers: responseHeaders("ETag", "Content-Length"),
			content: {
				"image/png": { schema: z.string().openapi({ format: "binary" }) },
				"image/jpeg": { schema: z.string().openapi({ format: "binary" }) },
				"image/webp": { schema: z.string().openapi({ format: "binary" }) },
			},
		},
		403: errorResponse("Missing or invalid signature"),
		404: errorResponse("No preview: deleted, or none was asked for"),
		410: errorResponse("The link has expired"),
		500: errorResponse("Internal error"),
	},
});

export const previewFiles = createRouter().openapi(downloadPreview, async (c) => {
	const { id } = c.req.valid("param");
	const check = await checkSignedRequest(c.env, c.req.method, new URL(c.req.url), Math.floor(Date.now() / 1000));
	if (check === "invalid") throw new ApiError(403, "FORBIDDEN", "the link's signature is missing or invalid");
	if (check === "expired") throw new ApiError(410, "GONE", "the link has expired; read the job again for a fresh one");
	const job = isJobId(id) ? await jobStub(c.env, id).readForDownload() : null;
	const preview = job?.status === "succeeded" ? job.document?.preview : null;
	const object = preview ? await c.env.DOCUMENTS.get(preview.key) : null;
	if (!preview || !object) throw new ApiError(404, "NOT_FOUND", "the preview does not exist or was deleted");
	const headers = {
		"Content-Type": preview.contentType,
		"Content-Length": String(object.size),
		ETag: object.httpEtag,
		"Cache-Control": "private, no-transform",
	};
	if (c.req.method === "HEAD") {
		await object.body.cancel();
		return c.body(null, 200, headers);
	}
	return c.body(object.body, 200, headers);
});
