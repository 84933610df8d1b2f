// The job Durable Object's RPC contract: what its callers pass and get back. Plain types, so a
// caller needs no import of the Durable Object class.
import type { RenderReport } from "../schemas/report";
import type { Lane } from "../tenants/render-slots";
import type { JobRecord } from "./record";
import type { LeaseTurn } from "./render-lease";

export type Claim =
	| LeaseTurn
	/** The PDF is stored already; only its delivery step is due. */
	| { kind: "deliver"; job: JobRecord }
	/** Over the tenant's render cap: the job stays queued and is tried again later. */
	| { kind: "wait"; retryAfterSeconds: number }
	/** The tenant's pages are slow right now: render it on the slow lane. */
	| { kind: "divert" };

/** `cap` is the caller's TENANT_MAX_CONCURRENT_RENDERS (the caller's env, so a test can narrow it). */
export interface ClaimOptions {
	lane?: Lane;
	cap?: number;
	now?: number;
}

/** When a change happens (a test may set the clock). */
export interface At {
	now?: number;
}

/** A render attempt's report: when, and which attempt (its `attempts` count at the claim) reports. */
export interface ReportOptions extends At {
	attempt?: number;
	/** The attempt's render report, kept when the attempt ends the job (or stores its PDF for delivery). */
	report?: RenderReport;
}

/** Why a report was refused: the job's status now, gone, or a newer attempt holds the job. */
export type OutcomeStatus = JobRecord["status"] | "missing" | "superseded";

export type Outcome = { ok: true } | { ok: false; status: OutcomeStatus };

export type { RetryDecision } from "./render-lease";

export type CancelResult = { action: "canceled" | "deleted" | "none"; job: JobRecord } | null;

export type RedeliverResult =
	| { ok: true; job: JobRecord }
	| { ok: false; reason: "missing" | "not-finished" | "no-webhook" }
	/** MAX_WEBHOOK_SERIES used up; the cap holds until the record is deleted, `retryAfterSeconds` from now. */
	| { ok: false; reason: "capped"; retryAfterSeconds: number };
