// Typed view of the Worker's vars, parsed by one schema (src/schemas/config.ts) once per env object.
//
// A malformed var (RENDER_MAX_ATTEMPTS = "three") does not stop the Worker: failing every request
// over one bad var would turn a typo into an outage. The var takes its documented default instead,
// and the isolate logs one error line naming the var and what it must be (not its value), so the
// typo shows up in the logs without repeating on every request.
import { logError } from "./log";
import { CONFIG_VAR_NAMES, type Config, type ConfigVarName, ConfigVars } from "./schemas/config";

/** Queues accept at most 12 h of delay on a retry. */
export const MAX_QUEUE_DELAY_SECONDS = 43200;

export const clampDelay = (seconds: number): number => Math.max(0, Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(seconds)));

/** The env objects seen by this isolate: parsed once each, not per call. */
const parsed = new WeakMap<Env, Config>();
/** Vars already reported malformed by this isolate. */
const reported = new Set<string>();

function reportMalformed(name: string, problem: string): void {
	if (reported.has(name)) return;
	reported.add(name);
	logError({ msg: "malformed configuration var: its default is used", var: name, problem });
}

/** The vars as the schema reads them: a malformed one is reported and left out, so its default applies. */
function parseVars(env: Env): Config {
	// Only the vars: the env also holds secrets and bindings, which stay away from any parse.
	const vars: Partial<Record<ConfigVarName, string>> = Object.fromEntries(CONFIG_VAR_NAMES.map((name) => [name, env[name]]));
	const first = ConfigVars.safeParse(vars);
	if (first.success) return first.data;
	for (const issue of first.error.issues) {
		const name = CONFIG_VAR_NAMES.find((known) => known === issue.path[0]);
		if (!name || !(name in vars)) continue;
		reportMalformed(name, issue.message);
		delete vars[name];
	}
	// What is left parsed the first time, and a var that is not set always does.
	return ConfigVars.parse(vars);
}

export function config(env: Env): Config {
	let found = parsed.get(env);
	if (!found) {
		found = parseVars(env);
		parsed.set(env, found);
	}
	return found;
}
