// What one page showed while it loaded, got ready and printed: the page-side half of a job's render
// report. print.ts collects it for each page (one per part) and hands it to PrintInput.observe, on
// success and on failure alike, so a failed job's report shows what was seen until it failed.

/** How a readiness step ended: finished, cut short by its share of the budget, or not run. */
export type StepOutcome = "done" | "timed out" | "skipped";

export interface ReadinessOutcome {
	lazyLoad: StepOutcome;
	images: StepOutcome;
	fonts: StepOutcome;
	networkIdle: StepOutcome;
}

/** A subresource that failed: an HTTP status >= 400, or a network error text (net::ERR_…). */
export interface FailedResource {
	url: string;
	status?: number;
	error?: string;
}

/** A request the address policy refused, with the error code it maps to (URL_NOT_ALLOWED). */
export interface BlockedResource {
	url: string;
	reason: string;
}

export interface ConsoleEntry {
	level: "error" | "warning";
	text: string;
}

/**
 * Raw observations, uncapped and unredacted apart from what the collector already did: the report
 * (src/schemas/report.ts) caps lists and texts and strips URLs' query and userinfo when it is built.
 */
export interface PageObservations {
	readiness: ReadinessOutcome;
	/** The explicit wait still pending when the page failed (waitForSelector, waitForFunction, waitForWindowStatus). */
	unfinishedWait: string | null;
	resources: { requested: number; failed: FailedResource[]; blocked: BlockedResource[]; pending: string[] };
	console: ConsoleEntry[];
	pageErrors: string[];
	/** Milliseconds of each page phase that ran; print is 0 when the page failed before printing. */
	phases: { navigateMs: number; readyMs: number; printMs: number };
}

/** Receives one page's observations once its page phase is over (success or failure). */
export type ObservationSink = (observations: PageObservations) => void;
