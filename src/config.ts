// Typed view of the Worker's vars (wrangler.toml [vars], `--var`, .dev.vars), with the documented defaults.

/** Queues accept at most 12 h of delay on a retry. */
export const MAX_QUEUE_DELAY_SECONDS = 43200;

export const clampDelay = (seconds: number): number => Math.max(0, Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(seconds)));
export interface Config {
	/** Seconds before each webhook retry; its length + 1 is the number of attempts. */
	webhookRetrySchedule: number[];
	renderMaxAttempts: number;
	retentionSeconds: number;
	allowPrivateNetwork: boolean;
	publicBaseUrl: string | null;
	/** Jobs one tenant may have rendering at once, queue and synchronous paths together. */
	tenantMaxConcurrentRenders: number;
	/** How long one event stream stays open before it ends (the client resumes with Last-Event-ID). */
	eventStreamMaxMs: number;
}

const DEFAULT_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000];

function positiveInt(raw: string | undefined, fallback: number): number {
	const n = Number(raw);
	return Number.isInteger(n) && n > 0 ? n : fallback;
}

function schedule(raw: string | undefined): number[] {
	const parts = (raw ?? "").split(",").map((s) => Number(s.trim()));
	return parts.length > 0 && parts.every((n) => Number.isFinite(n) && n >= 0) && raw?.trim() ? parts : DEFAULT_SCHEDULE;
}

export function config(env: Env): Config {
	return {
		webhookRetrySchedule: schedule(env.WEBHOOK_RETRY_SCHEDULE),
		renderMaxAttempts: positiveInt(env.RENDER_MAX_ATTEMPTS, 3),
		retentionSeconds: positiveInt(env.RETENTION_SECONDS, 604800),
		allowPrivateNetwork: String(env.ALLOW_PRIVATE_NETWORK).toLowerCase() === "true",
		publicBaseUrl: env.PUBLIC_BASE_URL ? env.PUBLIC_BASE_URL.replace(/\/+$/, "") : null,
		tenantMaxConcurrentRenders: positiveInt(env.TENANT_MAX_CONCURRENT_RENDERS, 8),
		eventStreamMaxMs: positiveInt(env.EVENT_STREAM_MAX_SECONDS, 900) * 1000,
	};
}
