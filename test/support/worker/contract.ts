// Worker side: runs inside workerd, imported by the tests.
// The published OpenAPI document as a test oracle: request and response schemas compiled with ajv,
// and a check that a response is one the document declares (status, media type, body, headers).
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { expect } from "vitest";
import { RESPONSE_HEADERS } from "../../../src/schemas/headers";
import { api } from "./api";
import { SchemaSet, type Schema } from "./schema-arbitrary";

interface HeaderObject {
	schema: { type: string; enum?: string[]; minimum?: number; pattern?: string };
}
interface ResponseObject {
	description: string;
	headers?: Record<string, { $ref: string }>;
	content?: Record<string, { schema: Schema }>;
}
export interface Operation {
	operationId?: string;
	security?: unknown[];
	parameters?: Array<{ name: string; in: string; schema: Schema; required?: boolean }>;
	requestBody?: { content: Record<string, { schema: Schema }> };
	responses: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
	openapi: string;
	paths: Record<string, Record<string, Operation>>;
	webhooks: Record<string, Record<string, Operation>>;
	components: { schemas: Record<string, Schema>; headers: Record<string, HeaderObject> };
	security: unknown[];
}

export const HTTP_METHODS = ["get", "head", "post", "put", "patch", "delete", "options", "trace"] as const;

/** JSON Pointer escaping of one segment. */
const seg = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

export class Contract {
	readonly schemas: SchemaSet;
	private readonly ajv: Ajv2020;
	private readonly compiled = new Map<string, ValidateFunction>();

	constructor(readonly doc: OpenApiDocument) {
		this.schemas = new SchemaSet(doc);
		// The OpenAPI keywords around the schemas (example, description, …) are not JSON Schema: not strict.
		this.ajv = new Ajv2020({ strict: false, validateSchema: false, allErrors: true });
		addFormats(this.ajv);
		this.ajv.addSchema(doc, "openapi.json");
	}

	static async load(): Promise<Contract> {
		const res = await api("/openapi.json", { key: null });
		expect(res.status).toBe(200);
		return new Contract((await res.json()) as OpenApiDocument);
	}

	/** The validator of the schema at a JSON Pointer into the document (e.g. /components/schemas/Render). */
	validator(pointer: string): ValidateFunction {
		let fn = this.compiled.get(pointer);
		if (!fn) {
			fn = this.ajv.compile({ $ref: `openapi.json#${pointer}` });
			this.compiled.set(pointer, fn);
		}
		return fn;
	}

	/** Whether the schema at `pointer` accepts `value`, with ajv's complaint when not. */
	accepts(pointer: string, value: unknown): { ok: boolean; errors: string } {
		const fn = this.validator(pointer);
		const ok = fn(value);
		return { ok, errors: ok ? "" : this.ajv.errorsText(fn.errors) };
	}

	requestBodyPointer(path: string, method: string): string {
		return `/paths/${seg(path)}/${method}/requestBody/content/${seg("application/json")}/schema`;
	}

	/** The documented path template a concrete path falls under. */
	template(path: string): string {
		const found = Object.keys(this.doc.paths).find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path));
		if (!found) throw new Error(`no documented path for ${path}`);
		return found;
	}

	operation(method: string, path: string): { template: string; op: Operation } {
		const template = this.template(path);
		const op = this.doc.paths[template]?.[method.toLowerCase()];
		if (!op) throw new Error(`${method} ${template} is not documented`);
		return { template, op };
	}

	/**
	 * Asserts that `res` is a response the document declares for this request: its status, its media
	 * type and body schema, and every declared header it carries (no undeclared one). Returns the body.
	 */
	async check(method: string, url: string, res: Response): Promise<unknown> {
		const { template, op } = this.operation(method, new URL(url, "https://x").pathname);
		const where = `${method} ${template} → ${res.status}`;
		const status = String(res.status);
		const entry = op.responses[status] ?? op.responses.default;
		expect(entry, `${where}: status not documented`).toBeDefined();
		this.checkHeaders(where, entry!, res.headers);

		const declared = entry!.content;
		const text = method === "HEAD" ? "" : await res.text();
		if (!declared || method === "HEAD") {
			if (method !== "HEAD" || !declared) expect(text, `${where}: a body where none is documented`).toBe("");
			return null;
		}
		const mediaType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
		expect(Object.keys(declared), `${where}: media type`).toContain(mediaType);
		if (mediaType !== "application/json") return text;
		const body: unknown = JSON.parse(text);
		const verdict = this.accepts(
			`/paths/${seg(template)}/${method.toLowerCase()}/responses/${status in op.responses ? status : "default"}/content/${seg(mediaType)}/schema`,
			body,
		);
		expect(verdict.errors, `${where}: body ${text.slice(0, 300)}`).toBe("");
		return body;
	}

	private checkHeaders(where: string, entry: ResponseObject, headers: Headers): void {
		for (const name of Object.keys(RESPONSE_HEADERS)) {
			const value = headers.get(name);
			if (value === null) continue;
			const ref = Object.entries(entry.headers ?? {}).find(([declared]) => declared.toLowerCase() === name.toLowerCase())?.[1];
			// Content-Length is framing every runtime may add; the others must be declared where sent.
			if (!ref && name === "Content-Length") continue;
			expect(ref, `${where}: header ${name} is sent but not declared`).toBeDefined();
			const header = this.doc.components.headers[ref!.$ref.split("/").pop()!];
			expect(header, `${where}: ${ref!.$ref}`).toBeDefined();
			const typed = header!.schema.type === "integer" && /^\d+$/.test(value) ? Number(value) : value;
			const verdict = this.accepts(`/components/headers/${seg(name)}/schema`, typed);
			expect(verdict.errors, `${where}: header ${name}: ${value}`).toBe("");
		}
	}
}

/** A concrete path for a template: each {param} becomes `value`. */
export function fillPath(template: string, value: string): string {
	return template.replace(/\{[^}]+\}/g, value);
}
