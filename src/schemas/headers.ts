// Response headers the API sets, declared once: OpenAPI publishes them under components/headers and
// each operation lists the ones it sends by name; handlers and ApiError take only these names.
interface HeaderSpec {
	description: string;
	schema: { type: "string" | "integer"; enum?: string[]; minimum?: number; pattern?: string; format?: string };
}

export const RESPONSE_HEADERS = {
	Location: { description: "Where the job can be read: /v1/renders/{id}", schema: { type: "string", format: "uri-reference" } },
	"Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer", minimum: 0 } },
	"Render-Id": { description: "The id of the job this response belongs to", schema: { type: "string", pattern: "^ren_[0-9a-hjkmnp-tv-z]{26}$" } },
	"Idempotent-Replayed": { description: "Present when an Idempotency-Key replay answered with the earlier job", schema: { type: "string", enum: ["true"] } },
	ETag: { description: "Entity tag of the stored PDF", schema: { type: "string" } },
	"Content-Disposition": { description: "attachment; with the (sanitized) filename", schema: { type: "string" } },
	"Content-Range": { description: "The byte range sent (206), or bytes */<size> (416)", schema: { type: "string" } },
	"Accept-Ranges": { description: "Byte ranges are supported", schema: { type: "string", enum: ["bytes"] } },
	"Content-Length": { description: "Size of the body in bytes", schema: { type: "integer", minimum: 0 } },
	Allow: { description: "The methods the path supports", schema: { type: "string" } },
	"WWW-Authenticate": { description: "The authentication scheme: Bearer", schema: { type: "string" } },
} as const satisfies Record<string, HeaderSpec>;

export type ResponseHeaderName = keyof typeof RESPONSE_HEADERS;
/** Header values a handler or an ApiError may set: only the declared names. */
export type ResponseHeaderValues = Partial<Record<ResponseHeaderName, string>>;

/** The `headers` entry of an OpenAPI response: references to the declared components. */
export function responseHeaders(...names: ResponseHeaderName[]): Record<string, { $ref: string }> {
	return Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));
}
