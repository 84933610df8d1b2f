// One attempt's render report as it is gathered: each page's observations (through
// PrintInput.observe), when the work after printing started, and the stored PDF's facts. The attempt
// builds the report once it is over (report.ts), whether it produced a document or failed.
import type { FactsResult } from "../pdf/document-scan";
import type { RenderReport } from "../schemas/report";
import type { ObservationSink, PageObservations } from "./observations";
import { buildReport } from "./report";

export class ReportDraft {
	private readonly pages: Array<PageObservations | undefined> = [];
	private pdf: FactsResult | null = null;
	private finishFrom: number | null = null;

	/** `parts`: how many parts the job merges (0 for one page); the report lists each, run or not. */
	constructor(private readonly parts: number) {}

	/** Where page `index` (0 without parts) hands its observations; a later page phase of the same index replaces them. */
	sink(index = 0): ObservationSink {
		return (observations) => {
			this.pages[index] = observations;
		};
	}

	/** The page phase is over and the work after it begins (metadata, merge, store); the first call counts. */
	finishing(now = Date.now()): void {
		this.finishFrom ??= now;
	}

	/** The document is stored: its facts (null for an image, which has none). */
	stored(facts: FactsResult | null): void {
		this.pdf = facts;
	}

	/** The report, once the attempt's work is over: finishMs runs from finishing() to now. */
	build(now = Date.now()): RenderReport {
		const finishMs = this.finishFrom === null ? 0 : now - this.finishFrom;
		const pages = Array.from({ length: Math.max(this.parts, this.pages.length) }, (_, i) => this.pages[i]);
		return buildReport({ pages, parts: this.parts > 0, pdf: this.pdf, finishMs });
	}
}
