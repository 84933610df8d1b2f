// The render report, built from what each page showed (observations.ts) and what the PDF holds
// (src/pdf/document-scan.ts). Pure: the same inputs give the same report. Everything a page wrote
// is capped (lists REPORT_LIST_MAX, texts REPORT_TEXT_MAX) and redacted as logs are (a URL keeps
// scheme, host and path), and the whole report is held to REPORT_MAX_BYTES so that it fits the job
// record twice over (the record's own copy and its webhook event's) whatever the page did.
import type { FactsResult } from "../pdf/document-scan";
import { REPORT_LIST_MAX, REPORT_MAX_BYTES, REPORT_TEXT_MAX, type PartReport, type RenderReport } from "../schemas/report";
import { redactText, redactUrl } from "../security/redact";
import { jsonBytes } from "../jobs/record-size";
import type { PageObservations, ReadinessOutcome, StepOutcome } from "./observations";
import { accessibilityOf, type Capper } from "./report-accessibility";

export interface ReportInput {
	/** Each page's observations in order (one page, or one per part); undefined for a part that never ran. */
	pages: ReadonlyArray<PageObservations | undefined>;
	/** The job merges parts: each part is listed in `parts`. */
	parts: boolean;
	/** The final PDF's facts; null when there is none (an image, or the render failed before storing it). */
	pdf: FactsResult | null;
	/** Milliseconds after the page phase: metadata, merging, storing. */
	finishMs: number;
}

/** Applies the caps and remembers whether any cut something. */
class Caps implements Capper {
	truncated = false;

	constructor(readonly listMax: number) {}

	/** Free text: every URL in it redacted, then cut. */
	text(raw: string): string {
		return this.clip(redactText(raw));
	}

	/** A URL: its query, fragment and userinfo removed, then cut. */
	url(raw: string): string {
		return this.clip(redactUrl(raw));
	}

	private clip(clean: string): string {
		if (clean.length <= REPORT_TEXT_MAX) return clean;
		this.truncated = true;
		return `${clean.slice(0, REPORT_TEXT_MAX - 1)}…`;
	}

	list<T, U>(items: readonly T[], map: (item: T) => U): U[] {
		if (items.length > this.listMax) this.truncated = true;
		return items.slice(0, this.listMax).map(map);
	}
}

const NOTHING_SEEN: PageObservations = {
	readiness: { lazyLoad: "skipped", images: "skipped", fonts: "skipped", networkIdle: "skipped" },
	unfinishedWait: null,
	resources: { requested: 0, failed: [], blocked: [], pending: [] },
	console: [],
	pageErrors: [],
	phases: { navigateMs: 0, readyMs: 0, printMs: 0 },
};

/** One page's lists, capped. */
function pageReport(caps: Caps, page: PageObservations): PartReport {
	const r = page.resources;
	return {
		resources: {
			requested: r.requested,
			failed: caps.list(r.failed, (f) => ({
				url: caps.url(f.url),
				...(f.status !== undefined ? { status: f.status } : {}),
				...(f.error !== undefined ? { error: caps.text(f.error) } : {}),
			})),
			blocked: caps.list(r.blocked, (b) => ({ url: caps.url(b.url), reason: caps.text(b.reason) })),
			pending: caps.list(r.pending, (url) => caps.url(url)),
		},
		console: caps.list(page.console, (c) => ({ level: c.level, text: caps.text(c.text) })),
		pageErrors: caps.list(page.pageErrors, (e) => caps.text(e)),
	};
}

/** Every page's observations as one: lists in page order, counts and times summed. */
function together(pages: readonly PageObservations[]): PageObservations {
	if (pages.length === 1 && pages[0]) return pages[0];
	const all = <T>(pick: (p: PageObservations) => readonly T[]) => pages.flatMap((p) => [...pick(p)]);
	const sum = (pick: (p: PageObservations) => number) => pages.reduce((total, p) => total + pick(p), 0);
	return {
		readiness: worstReadiness(pages.map((p) => p.readiness)),
		unfinishedWait: pages.find((p) => p.unfinishedWait !== null)?.unfinishedWait ?? null,
		resources: {
			requested: sum((p) => p.resources.requested),
			failed: all((p) => p.resources.failed),
			blocked: all((p) => p.resources.blocked),
			pending: all((p) => p.resources.pending),
		},
		console: all((p) => p.console),
		pageErrors: all((p) => p.pageErrors),
		phases: { navigateMs: sum((p) => p.phases.navigateMs), readyMs: sum((p) => p.phases.readyMs), printMs: sum((p) => p.phases.printMs) },
	};
}

/** A step of several pages: timed out if it timed out on any, done if it ran on any, else skipped. */
function worstReadiness(all: readonly ReadinessOutcome[]): ReadinessOutcome {
	const step = (pick: (r: ReadinessOutcome) => StepOutcome): StepOutcome => {
		const outcomes = all.map(pick);
		if (outcomes.includes("timed out")) return "timed out";
		return outcomes.includes("done") ? "done" : "skipped";
	};
	return { lazyLoad: step((r) => r.lazyLoad), images: step((r) => r.images), fonts: step((r) => r.fonts), networkIdle: step((r) => r.networkIdle) };
}

const ms = (value: number) => Math.max(0, Math.round(value));

function reportWith(input: ReportInput, listMax: number): RenderReport {
	const caps = new Caps(listMax);
	const pages = input.pages.map((p) => p ?? NOTHING_SEEN);
	const whole = together(pages.length ? pages : [NOTHING_SEEN]);
	const facts = input.pdf?.ok ? input.pdf.facts : null;
	if (facts?.fontsCut) caps.truncated = true;
	const report: RenderReport = {
		readiness: { ...whole.readiness, unfinishedWait: whole.unfinishedWait === null ? null : caps.text(whole.unfinishedWait) },
		...pageReport(caps, whole),
		fonts: caps.list(facts?.fonts ?? [], (f) => ({ name: caps.text(f.name), embedded: f.embedded })),
		accessibility: input.pdf === null ? null : accessibilityOf(input.pdf, caps),
		phases: {
			navigateMs: ms(whole.phases.navigateMs),
			readyMs: ms(whole.phases.readyMs),
			printMs: ms(whole.phases.printMs),
			finishMs: ms(input.finishMs),
		},
		truncated: false,
		...(input.parts ? { parts: pages.map((p) => pageReport(caps, p)) } : {}),
	};
	report.truncated = caps.truncated;
	return report;
}

/**
 * The capped report. Should it still pass REPORT_MAX_BYTES (many parts, each with full lists of
 * long texts), every list is shortened further, halving until it fits; `truncated` says so.
 */
export function buildReport(input: ReportInput): RenderReport {
	let listMax = REPORT_LIST_MAX;
	let report = reportWith(input, listMax);
	while (jsonBytes(report) > REPORT_MAX_BYTES && listMax > 0) {
		listMax = Math.floor(listMax / 2);
		report = { ...reportWith(input, listMax), truncated: true };
	}
	return report;
}
