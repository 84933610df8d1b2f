// A new job's record, from a validated request: queued, no attempts yet.
import { config } from "../config";
import { attachmentRelationship, base64Bytes, type StoredAttachment } from "../schemas/finishing";
import { JOB_RECORD_VERSION } from "../schemas/job-record";
import type { PdfOptions, RenderRequest } from "../schemas/render-request";
import { assetKey } from "../storage/assets";
import { sanitizeFilename, sourceKey } from "../storage/documents";
import { stampImageKey } from "../storage/outputs";
import type { EventType, JobRecord, WebhookRecord } from "./record";

/** The request's attachments as the record keeps them: where their bytes wait in R2, never the bytes. */
function storedAttachments(tenantId: string, id: string, pdf: PdfOptions): StoredAttachment[] {
	return (pdf.attachments ?? []).map((a, i) => ({
		name: a.name,
		contentType: a.contentType,
		relationship: attachmentRelationship(a, pdf.facturx),
		...(a.description !== undefined ? { description: a.description } : {}),
		key: assetKey(tenantId, id, `attachment-${i}`),
		sizeBytes: base64Bytes(a.content),
	}));
}

export function newJobRecord(env: Env, id: string, tenantId: string, body: RenderRequest, origin: string, now: number): JobRecord {
	const htmlBytes = body.html === undefined ? 0 : new TextEncoder().encode(body.html).byteLength;
	const attachments = body.pdf?.attachments;
	return {
		v: JOB_RECORD_VERSION,
		id,
		tenantId,
		status: "queued",
		createdAt: now,
		startedAt: null,
		completedAt: null,
		queuedAt: now,
		leaseUntil: null,
		attempts: 0,
		requeues: 0,
		source: body.url !== undefined ? { type: "url", url: body.url } : { type: "html", bytes: htmlBytes },
		url: body.url ?? null,
		sourceKey: body.html !== undefined ? sourceKey(tenantId, id) : null,
		pdf: storedPdf(body.pdf, tenantId, id),
		page: body.page ?? {},
		filename: sanitizeFilename(body.filename, id),
		// A link never outlives the document it points to.
		expiresIn: Math.min(body.expiresIn, config(env).retentionSeconds),
		origin,
		document: null,
		deleteAt: null,
		purgeAt: null,
		error: null,
		timings: { queuedMs: null, renderMs: null, storeMs: null },
		metadata: body.metadata ?? {},
		webhook: body.webhook ? newWebhookRecord(body.webhook) : null,
		destination: body.destination ?? null,
		keepCopy: body.keepCopy ?? false,
		delivery: null,
		report: null,
		...(attachments?.length ? { attachments: storedAttachments(tenantId, id, body.pdf ?? {}) } : {}),
	};
}

/** The request's `pdf` as the record keeps it: each stamp image the R2 key the API stashes it at, not the data URI. */
/**
 * The request's `pdf` as the record keeps it: `encrypt` leaves it (its passwords are sealed apart,
 * secrets.ts), and so do the attachments (their bytes wait in R2: JobRecord.attachments); stamp
 * images become the R2 keys they wait at.
 */
function storedPdf(pdf: RenderRequest["pdf"], tenantId: string, id: string): JobRecord["pdf"] {
	const { encrypt: _encrypt, attachments: _attachments, ...rest } = pdf ?? {};
	if (!rest.stamps) return rest;
	const stamps = rest.stamps.map(({ image, ...stamp }, i) => (image === undefined ? stamp : { ...stamp, imageKey: stampImageKey(tenantId, id, i) }));
	return { ...rest, stamps };
}

/** A webhook that has sent nothing yet: the render's own, or the tenant's endpoint (with its `events`). */
export function newWebhookRecord(w: { url: string; method: WebhookRecord["method"]; headers?: Record<string, string>; events?: EventType[] }): WebhookRecord {
	return {
		url: w.url,
		method: w.method,
		headers: w.headers ?? {},
		sealedHeaders: null,
		...(w.events ? { events: w.events } : {}),
		status: "pending",
		attempts: [],
		nextAttemptAt: null,
		eventId: null,
		eventBody: null,
		series: 1,
		enqueuePending: false,
		seriesAttempts: 0,
		leaseUntil: null,
		exhausted: false,
		deadLettered: false,
	};
}
