// Structured JSON logs (Workers Logs indexes the fields). Callers pass ids, phases and durations;
// never an API key, a secret, or a signed URL (its query string is a credential).
export function log(fields: Record<string, unknown>): void {
	console.log(JSON.stringify({ level: "info", ...fields }));
}

export function logError(fields: Record<string, unknown>): void {
	console.error(JSON.stringify({ level: "error", ...fields }));
}
