// Structured JSON logs (Workers Logs indexes the fields). Callers pass ids, phases and durations;
// never an API key or a secret. Every field goes through redactValue: a URL anywhere in a line
// loses its query, userinfo and fragment (a signed link's query is a credential, a page URL's may be).
import { redactValue } from "./security/redact";

function line(level: "info" | "error", fields: Record<string, unknown>): string {
	return JSON.stringify({ level, ...(redactValue(fields) as Record<string, unknown>) });
}

export function log(fields: Record<string, unknown>): void {
	console.log(line("info", fields));
}

export function logError(fields: Record<string, unknown>): void {
	console.error(line("error", fields));
}
