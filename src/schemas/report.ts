// The render report: what the page did while it loaded and printed, and what the PDF holds. On the
// job object (`report`, once the job is terminal), in webhook events, and in the stored job record.
// Built by src/render/report.ts from the page's observations (src/render/observations.ts) and the
// PDF's own dictionaries (src/pdf/document-scan.ts); capped so a noisy page cannot grow the record.
import { z } from "@hono/zod-openapi";

/** Most entries of one list; past it the list is cut and `truncated` is true. */
export const REPORT_LIST_MAX = 50;
/** Most characters of one text (a URL, a console message, a page error). */
export const REPORT_TEXT_MAX = 500;
/**
 * Most bytes of a whole report as JSON: the record holds it twice (its own copy and its webhook
 * event's body), next to options of up to 1 MiB, in a Durable Object value of 2 MB.
 */
export const REPORT_MAX_BYTES = 128 * 1024;

const text = z.string().max(REPORT_TEXT_MAX);
const list = <T extends z.ZodType>(item: T) => z.array(item).max(REPORT_LIST_MAX);

export const STEP_OUTCOMES = ["done", "timed out", "skipped"] as const;
const StepOutcome = z.enum(STEP_OUTCOMES);

export const ReportReadiness = z
	.object({
		lazyLoad: StepOutcome,
		images: StepOutcome,
		fonts: StepOutcome,
		networkIdle: StepOutcome,
		unfinishedWait: text.nullable().openapi({
			description: "The explicit wait (waitForSelector, waitForFunction, waitForWindowStatus) still pending when the page failed; null when none was",
		}),
	})
	.openapi("ReportReadiness", {
		description: "How each readiness step ended: done, timed out (the page printed as it was), or skipped (turned off, or not reached)",
	});

export const ReportResources = z
	.object({
		requested: z.number().int().openapi({ description: "Requests the page made (the document's own included)" }),
		failed: list(
			z.object({
				url: text,
				status: z.number().int().optional().openapi({ description: "The HTTP status, when the server answered >= 400" }),
				error: text.optional().openapi({ description: "The network error, when there was no answer (net::ERR_…)" }),
			}),
		),
		blocked: list(z.object({ url: text, reason: text.openapi({ description: "The error code the refusal maps to (URL_NOT_ALLOWED)" }) })),
		pending: list(text).openapi({ description: "Still in flight when the page printed or failed" }),
	})
	.openapi("ReportResources", { description: "URLs keep scheme, host and path: query, fragment and userinfo are removed" });

const ConsoleEntry = z.object({ level: z.enum(["error", "warning"]), text });

/** What one page showed: the whole document's, or with parts each part's own. */
const pageFields = {
	resources: ReportResources,
	console: list(ConsoleEntry).openapi({ description: "Console errors and warnings, in order" }),
	pageErrors: list(text).openapi({ description: "Uncaught exceptions, in order" }),
};

export const PartReport = z.object(pageFields).openapi("PartReport");
export type PartReport = z.infer<typeof PartReport>;

export const ReportFont = z
	.object({
		name: text.openapi({ description: "The font's PostScript name (BaseFont), without a subset tag" }),
		embedded: z.boolean().openapi({ description: "The font program is in the PDF" }),
	})
	.openapi("ReportFont");

export const ReportAccessibility = z
	.object({
		tagged: z.boolean().openapi({ description: "The PDF has a structure tree and is marked as tagged" }),
		lang: text.nullable().openapi({ description: "The document language (the catalog's /Lang)" }),
		title: text.nullable().openapi({ description: "The document title (the document information's /Title)" }),
		headings: z.number().int().openapi({ description: "Heading structure elements (H, H1-H6)" }),
		outlineEntries: z.number().int().openapi({ description: "Bookmarks in the PDF's outline" }),
		figures: z.number().int().openapi({ description: "Figure structure elements" }),
		figuresWithoutAlt: z.number().int().openapi({ description: "Figures without alternative text" }),
		issues: list(text).openapi({ description: "What stands in the way of assistive technology, in sentences" }),
	})
	.openapi("ReportAccessibility");

export const ReportPhases = z
	.object({
		navigateMs: z.number().int(),
		readyMs: z.number().int(),
		printMs: z.number().int(),
		finishMs: z.number().int().openapi({ description: "After printing: metadata, merging parts, storing" }),
	})
	.openapi("ReportPhases", { description: "Milliseconds of each phase; with parts, summed over the parts" });

export const RenderReport = z
	.object({
		readiness: ReportReadiness,
		...pageFields,
		fonts: list(ReportFont).openapi({ description: "The fonts in the final PDF, read from its font dictionaries; empty without a PDF" }),
		accessibility: ReportAccessibility.nullable().openapi({ description: "Facts about the final PDF; null when there is no PDF (an image, a failed render)" }),
		phases: ReportPhases,
		truncated: z.boolean().openapi({ description: "A list or a text was cut to fit the report's caps" }),
		parts: z
			.array(PartReport)
			.optional()
			.openapi({ description: "With parts: each part's resources, console and page errors, in order (the top-level lists hold all parts')" }),
	})
	.openapi("RenderReport", {
		description:
			"What happened while the page loaded and printed, and what the PDF holds. The attempt's that produced the document (or the last failed attempt's). Lists hold at most 50 entries, texts 500 characters",
	});
export type RenderReport = z.infer<typeof RenderReport>;
