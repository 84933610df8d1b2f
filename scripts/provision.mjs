#!/usr/bin/env node
// `npm run provision [-- --dry-run] [-- --config path/to/wrangler.toml]`: creates what `wrangler deploy`
// expects to exist, derived from wrangler.toml, and skips what already exists, so it can run again:
//   - every queue the Worker produces to or consumes from, and every dead-letter queue;
//   - every R2 bucket, with one lifecycle rule that deletes objects after RETENTION_SECONDS (rounded up
//     to whole days, R2's unit) and aborts unfinished multipart uploads after a day. The job's own
//     alarm deletes each PDF on time; the rule is the backstop for anything left behind.
// Then it prints the secrets to set. --dry-run prints the wrangler commands without running any.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { unstable_readConfig } from "wrangler";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const WRANGLER = join(REPO, "node_modules", "wrangler", "bin", "wrangler.js");
const DAY = 86_400;
const SECRET_HINTS = {
	API_KEYS: "comma-separated tenantId:sha256hex(key) pairs; `npm run key -- <tenantId>` makes one",
	SIGNING_SECRET: "a long random string, e.g. `openssl rand -base64 32`; webhook secrets and link keys derive from it",
	SIGNING_SECRET_PREVIOUS: "the previous SIGNING_SECRET while rotating, else an empty value",
};

/** Everything to create, from the Wrangler configuration: pure, so --dry-run and the real run agree. */
export function plan(config) {
	const queues = new Set();
	for (const p of config.queues?.producers ?? []) queues.add(p.queue);
	for (const c of config.queues?.consumers ?? []) {
		queues.add(c.queue);
		if (c.dead_letter_queue) queues.add(c.dead_letter_queue);
	}
	const retentionSeconds = Number(config.vars?.RETENTION_SECONDS ?? 604_800);
	if (!Number.isInteger(retentionSeconds) || retentionSeconds <= 0)
		throw new Error(`RETENTION_SECONDS must be a positive integer, not ${config.vars?.RETENTION_SECONDS}`);
	const lifecycle = {
		rules: [
			{
				id: "edge-pdf-retention",
				enabled: true,
				conditions: { prefix: "" },
				deleteObjectsTransition: { condition: { type: "Age", maxAge: Math.ceil(retentionSeconds / DAY) * DAY } },
				abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: DAY } },
			},
		],
	};
	return {
		queues: [...queues],
		buckets: (config.r2_buckets ?? []).map((b) => b.bucket_name),
		lifecycle,
		secrets: config.secrets?.required ?? Object.keys(SECRET_HINTS),
	};
}

function wrangler(args, configPath) {
	const res = spawnSync(process.execPath, [WRANGLER, ...args, "--config", configPath], {
		encoding: "utf8",
		env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
	});
	return { ok: res.status === 0, output: `${res.stdout ?? ""}${res.stderr ?? ""}` };
}

/** True when a listing names `name` as a whole word (edge-pdf-render is not edge-pdf-render-dlq). */
export function listed(output, name) {
	const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
	return new RegExp(`(^|[\\s│|:"'])${escaped}($|[\\s│|"',])`, "m").test(output);
}

function main() {
	const { values } = parseArgs({
		options: { "dry-run": { type: "boolean", default: false }, config: { type: "string", default: join(REPO, "wrangler.toml") } },
	});
	const dryRun = values["dry-run"];
	const configPath = values.config;
	const todo = plan(unstable_readConfig({ config: configPath }));
	const lifecycleFile = join(mkdtempSync(join(tmpdir(), "edge-pdf-provision-")), "lifecycle.json");
	writeFileSync(lifecycleFile, `${JSON.stringify(todo.lifecycle, null, 2)}\n`);

	const steps = [
		...todo.queues.map((name) => ({ what: `queue ${name}`, list: ["queues", "list"], name, run: ["queues", "create", name] })),
		...todo.buckets.map((name) => ({ what: `bucket ${name}`, list: ["r2", "bucket", "list"], name, run: ["r2", "bucket", "create", name] })),
		// Setting the whole lifecycle configuration is idempotent by itself.
		...todo.buckets.map((name) => ({ what: `lifecycle of ${name}`, run: ["r2", "bucket", "lifecycle", "set", name, "--file", lifecycleFile, "--force"] })),
	];
	console.log(`provision: ${dryRun ? "dry run, nothing is changed" : "creating what is missing"} (config ${configPath})`);
	if (dryRun) console.log(`provision: lifecycle rule (${lifecycleFile}): ${JSON.stringify(todo.lifecycle)}`);
	const listings = new Map();
	let failed = 0;
	for (const step of steps) {
		const command = `wrangler ${step.run.join(" ")}`;
		if (dryRun) {
			console.log(`  would run: ${command}${step.list ? `   (skipped if \`wrangler ${step.list.join(" ")}\` lists ${step.name})` : ""}`);
			continue;
		}
		if (step.list) {
			const key = step.list.join(" ");
			if (!listings.has(key)) {
				const listing = wrangler(step.list, configPath);
				if (!listing.ok) throw new Error(`wrangler ${key} failed (logged in? \`npx wrangler login\`):\n${listing.output}`);
				listings.set(key, listing.output);
			}
			if (listed(listings.get(key), step.name)) {
				console.log(`  exists:  ${step.what}`);
				continue;
			}
		}
		const result = wrangler(step.run, configPath);
		console.log(`  ${result.ok ? "done:   " : "FAILED: "} ${command}`);
		if (!result.ok) {
			failed++;
			console.error(result.output);
		}
	}
	console.log("\nprovision: set these secrets (each prompts for its value), then `npm run deploy`:");
	for (const name of todo.secrets) console.log(`  npx wrangler secret put ${name}   # ${SECRET_HINTS[name] ?? ""}`);
	return failed === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	try {
		process.exitCode = main();
	} catch (err) {
		console.error(`provision: ${err instanceof Error ? err.message : err}`);
		process.exitCode = 1;
	}
}
