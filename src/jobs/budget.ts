// How long a job's page phase may take: its page.timeoutMs, or for merged parts the sum of theirs,
// since the parts print one after another. The render lease and the sync slot are sized from it.
import { DEFAULT_TIMEOUT_MS, type PageOptions } from "../schemas/render-request";

export function renderBudgetMs(job: { page: PageOptions; parts?: ReadonlyArray<{ page?: PageOptions }> | null }): number {
	const own = job.page.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	if (!job.parts?.length) return own;
	return job.parts.reduce((sum, part) => sum + (part.page?.timeoutMs ?? own), 0);
}
