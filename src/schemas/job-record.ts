// What a job's Durable Object stores: one JSON record, versioned, parsed with zod on every load.
// Bump JOB_RECORD_VERSION when a field is added, removed, renamed or changes meaning, and add the
// step from the previous version to src/jobs/record-migrations.ts (with a test that starts from
// the old shape). Version 1 is the unversioned record stored before versions existed.
import { z } from "@hono/zod-openapi";
import { JobError, JobStatus, Source, Timings, WebhookAttempt } from "./job";
import { DeliveredDestination } from "./destination";
import { StoredEncrypt } from "./encrypt";
import { StoredAttachment } from "./finishing";
import { CONTENT_TYPE_VALUES, IMAGE_CONTENT_TYPES, Output, PreviewOptions, ScreenshotOptions } from "./outputs";
import { Headers, Metadata, PageOptions, PartPdfOptions, PdfOptions, RenderDestination, WebhookRequest } from "./render-request";
import { RenderReport } from "./report";
import { MAX_STAMPS, StoredStamp } from "./stamps";
import { EventType } from "./webhook-event";

/**
 * 2: `v`, `purgeAt`, `webhook.sealedHeaders` (webhook headers encrypted at rest).
 * 3: `destination`, `keepCopy`, `delivery` (delivery to the customer's storage), `webhook.events`.
 * 4: `output`, `screenshot`, `preview`, `parts`, `document.contentType`, `document.preview` (more
 *    outputs; each optional: absent means a PDF, no preview, one source).
 * 5: `source.templates` (every template a template render used, with its version) and
 *    `source.parts` (each part's source); null in records from before they were kept.
 * 6: `report` (the render report of the attempt that ended the job); null in older records and
 *    until an attempt ends the job.
 * 7: `pdf.stamps` (stamps and watermarks), each image stamp kept as the R2 key its image was
 *    stashed at (`imageKey`), never the data URI; absent in older records. `source.type` may also
 *    be "markdown" from this version on (an added enum member: older records never hold it).
 * 8: protected and archival PDFs: `encrypt` (the permissions, the passwords sealed until the job
 *    ends), `attachments` (their bytes wait in R2 under the keys kept here), `pdf.sign` (the name
 *    of a saved signing key, never the key), `pdf.standard` and `pdf.facturx`; `pdf` no longer
 *    holds `encrypt` or `attachments`. Each absent in older records, which asked for none of them.
 */
export const JOB_RECORD_VERSION = 8;

/**
 * The request's `pdf` as stored: stamps with their images as R2 keys; without `encrypt`, whose
 * passwords are kept sealed apart (JobRecord.encrypt), and without `attachments`, whose bytes wait in
 * R2 (JobRecord.attachments).
 */
export const StoredPdfOptions = PdfOptions.omit({ stamps: true, encrypt: true, attachments: true }).extend({
	stamps: z.array(StoredStamp).max(MAX_STAMPS).optional(),
});
export type StoredPdfOptions = z.infer<typeof StoredPdfOptions>;

const ms = z.number().int();

/** A stored thumbnail of the document's first page (documents/<tenant>/<job>.preview.<ext>). */
export const StoredPreview = z.object({
	key: z.string(),
	contentType: z.enum(IMAGE_CONTENT_TYPES),
	width: z.number().int(),
	height: z.number().int(),
	sizeBytes: z.number().int(),
});
export type StoredPreview = z.infer<typeof StoredPreview>;

/** One document of a merged render: its inline HTML (or rendered template) waits in R2 at sourceKey. */
export const PartRecord = z.object({
	url: z.string().nullable(),
	sourceKey: z.string().nullable(),
	pdf: PartPdfOptions,
	page: PageOptions,
});
export type PartRecord = z.infer<typeof PartRecord>;

export const StoredDocument = z.object({
	key: z.string(),
	filename: z.string(),
	sizeBytes: z.number().int(),
	pages: z.number().int(),
	sha256: z.string(),
	etag: z.string(),
	/** A screenshot's image type; absent means application/pdf. */
	contentType: z.enum(CONTENT_TYPE_VALUES).optional(),
	/** The first-page thumbnail stored beside the document, when one was asked for. */
	preview: StoredPreview.nullable().optional(),
});
export type StoredDocument = z.infer<typeof StoredDocument>;

export const DeliveryState = z.object({
	/** Delivery tries started so far (the first runs right after printing). */
	tries: z.number().int(),
	/** A try is running; its lease is the job's `leaseUntil`. */
	inFlight: z.boolean(),
	/** When the queued retry is due; the watchdog fires a margin after it. */
	nextTryAt: ms.nullable(),
	/** Set once the destination holds the file. */
	result: DeliveredDestination.nullable(),
	lastError: z.string().nullable(),
});
export type DeliveryState = z.infer<typeof DeliveryState>;

export const WebhookRecord = z.object({
	url: z.string(),
	method: WebhookRequest.shape.method.unwrap(),
	/** Plaintext only between the API and the first save: the Durable Object seals them into `sealedHeaders`. */
	headers: Headers,
	/** `headers`, AES-GCM encrypted with a key derived from SIGNING_SECRET for this job; null when none. */
	sealedHeaders: z.string().nullable(),
	status: z.enum(["pending", "delivering", "delivered", "failed"]),
	attempts: z.array(WebhookAttempt),
	nextAttemptAt: ms.nullable(),
	/** Stable id of the job's one terminal event; null until the job ends. */
	eventId: z.string().nullable(),
	/** The exact body sent on every attempt, fixed when the job ends. */
	eventBody: z.string().nullable(),
	/** Attempt series: 1 for the first delivery, +1 for each manual redelivery. */
	series: z.number().int().positive(),
	/** Outbox flag: the event is recorded but not yet on the webhook queue. */
	enqueuePending: z.boolean(),
	/** Attempts made in the current series. */
	seriesAttempts: z.number().int(),
	/** While an attempt is in flight: when its sender counts as gone. */
	leaseUntil: ms.nullable(),
	/** The series used up its schedule; the event belongs in the dead-letter queue. */
	exhausted: z.boolean(),
	deadLettered: z.boolean(),
	/** The tenant endpoint's `events` filter; absent: every event. */
	events: z.array(EventType).optional(),
});
export type WebhookRecord = z.infer<typeof WebhookRecord>;

export const JobRecord = z.object({
	v: z.literal(JOB_RECORD_VERSION),
	id: z.string(),
	tenantId: z.string(),
	status: JobStatus,
	createdAt: ms,
	startedAt: ms.nullable(),
	completedAt: ms.nullable(),
	/** When the job last entered `queued`, for the watchdog. */
	queuedAt: ms,
	/** While rendering: when the consumer's claim lapses and another may take over. */
	leaseUntil: ms.nullable(),
	attempts: z.number().int(),
	/** Times the watchdog re-sent a queued job's message. */
	requeues: z.number().int(),
	source: Source,
	url: z.string().nullable(),
	sourceKey: z.string().nullable(),
	pdf: StoredPdfOptions,
	/** Its secrets (headers, cookies, basicAuth) are erased once the job is terminal. */
	page: PageOptions,
	filename: z.string(),
	expiresIn: z.number().int(),
	/** Origin for signed links when PUBLIC_BASE_URL is not set. */
	origin: z.string(),
	document: StoredDocument.nullable(),
	/** When the stored document is deleted by the retention alarm. */
	deleteAt: ms.nullable(),
	/** When the whole record is deleted (RETENTION_SECONDS after the job ended). */
	purgeAt: ms.nullable(),
	error: JobError.nullable(),
	timings: Timings,
	metadata: Metadata,
	webhook: WebhookRecord.nullable(),
	/** Where the PDF goes after printing; null: nowhere, the signed link is the result. */
	destination: RenderDestination.nullable(),
	/** With a destination, also keep our copy and its link. */
	keepCopy: z.boolean(),
	/** The delivery step, from the moment the PDF is stored (src/destinations/state.ts). */
	delivery: DeliveryState.nullable(),
	// More outputs: absent means a PDF, no preview, one source.
	output: Output.optional(),
	screenshot: ScreenshotOptions.optional(),
	preview: PreviewOptions.optional(),
	parts: z.array(PartRecord).optional(),
	/** `pdf.encrypt`: its permissions, and its passwords sealed until the job is terminal (then null); absent: no encryption. */
	encrypt: StoredEncrypt.optional(),
	/** `pdf.attachments`, their bytes stashed in R2 when the job was created; absent: none. */
	attachments: z.array(StoredAttachment).optional(),
	/** Set by the attempt that ends the job (or stores its PDF for delivery); shown once the job is terminal. */
	report: RenderReport.nullable(),
});
export type JobRecord = z.infer<typeof JobRecord>;
