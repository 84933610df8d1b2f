// A job's tenant fonts in its pages. Looked up once per attempt (the tenant's face index, one call
// to its Durable Object); the bytes are read from R2 only when a page uses a face.
// - Pages (html, url, templates, parts, screenshots): every frame gets a FontFace per face of the
//   tenant, added to document.fonts before the page's own scripts run, its source a URL on a
//   reserved origin (FONT_ORIGIN, under .invalid: it resolves nowhere). Chromium fetches a face only
//   when text on the page uses it, and the job's own request interception (egress.ts) answers that
//   request from R2: nothing leaves, and only this tenant's faces are there to answer with.
// - Header and footer templates: Chromium refuses an http(s) font there ("Printing failed") and
//   draws a fallback for a data: URI it has not loaded before, so for each family a template names
//   (its text scanned case-insensitively) the page first loads the face from a data: URI, and the
//   template declares the same URI. Those URIs are built once per job.
// docs/fonts.md has the measurements behind this split.
import type { HTTPRequest, Page } from "@cloudflare/puppeteer";
import { logError } from "../log";
import type { PdfOptions } from "../schemas/render-request";
import { base64 } from "../security/crypto";
import { FONT_MIME, fontKey } from "../storage/fonts";
import type { FaceRow } from "../tenants/fonts";
import { tenantStub } from "../tenants/tenant-object";
import { RenderFailure } from "./errors";

/** The reserved origin the pages' FontFaces point at; only a job's own interception answers it. */
export const FONT_ORIGIN = "https://fonts.edge-pdf.invalid";

/** Face bytes a job keeps in memory between pages (parts share them); past it, a face is read again. */
const CACHE_MAX_BYTES = 16 * 1024 * 1024;
/**
 * Fonts header and footer templates may name, in all: each page of the PDF parses its templates
 * with the faces' data: URIs in them (measured: ~170 ms a page per MiB, docs/fonts.md).
 */
export const TEMPLATE_FONTS_MAX_BYTES = 4 * 1024 * 1024;

export function isFontUrl(url: string): boolean {
	return url.startsWith(`${FONT_ORIGIN}/`);
}

/** [family, src, weight, style] for a page script: family names are [A-Za-z0-9 _-], passed unquoted as FontFace wants them. */
type FaceSpec = [string, string, string, string];

/** Adds each face to the document's fonts; a face that fails to load leaves the text in a fallback font. */
function addFacesScript(faces: FaceSpec[], wait: boolean): string {
	const add = `faces.map(([family, src, weight, style]) => { const face = new FontFace(family, src, { weight, style }); document.fonts.add(face); return ${wait ? "face.load().catch(() => undefined)" : "face"}; })`;
	const body = wait ? `await Promise.all(${add});` : `${add};`;
	return `(${wait ? "async " : ""}(faces) => { try { ${body} } catch {} })(${JSON.stringify(faces)})`;
}

export class JobFonts {
	private readonly byUrl: Map<string, FaceRow>;
	private readonly cached = new Map<string, Promise<Uint8Array>>();
	private cachedBytes = 0;
	private readonly dataUris = new Map<string, Promise<string>>();
	/** Faces are answered one at a time: each is held whole (and base64-encoded for CDP) while it is sent. */
	private answering: Promise<unknown> = Promise.resolve();

	constructor(
		private readonly env: Env,
		private readonly tenantId: string,
		readonly faces: readonly FaceRow[],
	) {
		this.byUrl = new Map(faces.map((face) => [this.urlOf(face), face]));
	}

	/** The tenant's faces for one attempt, or null when it has none (then pages are left as they were). */
	static async forTenant(env: Env, tenantId: string): Promise<JobFonts | null> {
		const faces = await tenantStub(env, tenantId)
			.listFonts()
			.catch((err: unknown) => {
				logError({ msg: "font index read failed", tenantId, error: String(err) });
				throw new RenderFailure("STORAGE_FAILED", "could not read the tenant's fonts", true);
			});
		return faces.length > 0 ? new JobFonts(env, tenantId, faces) : null;
	}

	private urlOf(face: FaceRow): string {
		return `${FONT_ORIGIN}/${face.id}`;
	}

	/** Run in every frame before its scripts: the faces, on the reserved origin, fetched only if used. */
	pageScript(): string {
		return addFacesScript(
			this.faces.map((f) => [f.family, `url("${this.urlOf(f)}")`, String(f.weight), f.style]),
			false,
		);
	}

	/** A face's bytes (for a stamp, which pdf-lib embeds), through the same cache as the pages'. */
	bytesOf(face: FaceRow): Promise<Uint8Array> {
		return this.read(face);
	}

	private read(face: FaceRow): Promise<Uint8Array> {
		const hit = this.cached.get(face.id);
		if (hit) return hit;
		const reading = this.env.DOCUMENTS.get(fontKey(this.tenantId, face.id)).then(async (object) => {
			if (!object) throw new Error(`font object ${face.id} is missing`);
			return new Uint8Array(await object.arrayBuffer());
		});
		if (this.cachedBytes + face.sizeBytes <= CACHE_MAX_BYTES) {
			this.cachedBytes += face.sizeBytes;
			this.cached.set(face.id, reading);
			reading.catch(() => this.cached.delete(face.id));
		}
		return reading;
	}

	/**
	 * Answers a paused request for the reserved origin: the face's bytes, or a failed request when the
	 * URL names no face of this tenant. It is never continued, so it never leaves the browser.
	 */
	answer(request: HTTPRequest): Promise<void> {
		const face = this.byUrl.get(request.url());
		const next = this.answering.then(async () => {
			if (!face) return request.abort("blockedbyclient");
			try {
				const body = await this.read(face);
				// Cross-origin font loads are CORS requests: the page's origin is anything, the face is ours.
				await request.respond({ status: 200, contentType: FONT_MIME[face.format], headers: { "access-control-allow-origin": "*" }, body });
			} catch (err) {
				logError({ msg: "font read failed", tenantId: this.tenantId, faceId: face.id, error: String(err) });
				await request.abort("failed");
			}
		});
		this.answering = next.catch(() => undefined);
		return next.catch(() => undefined);
	}

	/** The faces of every family whose name appears in `texts` (case-insensitively, as CSS matches names). */
	facesNamedIn(texts: string[]): FaceRow[] {
		const haystack = texts.join("\n").toLowerCase();
		return this.faces.filter((face) => haystack.includes(face.family.toLowerCase()));
	}

	private dataUri(face: FaceRow): Promise<string> {
		let uri = this.dataUris.get(face.id);
		if (!uri) {
			uri = this.read(face).then((bytes) => `data:${FONT_MIME[face.format]};base64,${base64(bytes)}`);
			this.dataUris.set(face.id, uri);
		}
		return uri;
	}

	/**
	 * The PDF options with each header/footer template given the faces it names, loaded in `page`
	 * first from the same data: URIs (the only way Chromium draws them in a template).
	 */
	async withTemplateFonts(page: Page, pdf: PdfOptions): Promise<PdfOptions> {
		if (!pdf.displayHeaderFooter) return pdf;
		// A template left out keeps Chromium's default (date, title, page numbers): no font of ours in it.
		const header = pdf.headerTemplate;
		const footer = pdf.footerTemplate;
		const named = this.facesNamedIn([header ?? "", footer ?? ""]);
		if (named.length === 0) return pdf;
		const total = named.reduce((sum, face) => sum + face.sizeBytes, 0);
		if (total > TEMPLATE_FONTS_MAX_BYTES) {
			const families = [...new Set(named.map((f) => f.family))].join(", ");
			throw new RenderFailure(
				"CONTENT_TOO_LARGE",
				`the header and footer templates name fonts of ${total} bytes (${families}); at most ${TEMPLATE_FONTS_MAX_BYTES} bytes of fonts go into them`,
				false,
			);
		}
		const uris = new Map(await Promise.all(named.map(async (face) => [face.id, await this.dataUri(face)] as const)));
		const specs = (faces: FaceRow[]): FaceSpec[] => faces.map((f) => [f.family, `url("${uris.get(f.id)}")`, String(f.weight), f.style]);
		await page.evaluate(addFacesScript(specs(named), true));
		const declare = (template: string | undefined) => {
			if (template === undefined) return undefined;
			const faces = this.facesNamedIn([template]);
			if (faces.length === 0) return template;
			const rules = specs(faces).map(
				([family, src, weight, style]) => `@font-face{font-family:"${family}";src:${src};font-weight:${weight};font-style:${style}}`,
			);
			return `<style>${rules.join("")}</style>${template}`;
		};
		return { ...pdf, headerTemplate: declare(header), footerTemplate: declare(footer) };
	}
}
