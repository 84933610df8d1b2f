#!/usr/bin/env node
// The OpenAPI document as the running Worker serves it, and the checks on it.
//   node scripts/openapi.mjs dump [file]   GET /openapi.json from a fresh local stack → file (default client/openapi.json)
//   node scripts/openapi.mjs lint          dumps to a temporary file, then @apidevtools/swagger-parser and `redocly lint`
//   node scripts/openapi.mjs generate      dump → client/openapi.json, then openapi-typescript → client/src/schema.ts
//   node scripts/openapi.mjs check         client/src/schema.ts is what openapi-typescript makes of client/openapi.json
// (test/openapi-document.test.ts checks that client/openapi.json is the document the Worker serves.)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { REPO_ROOT, withLocalStack } from "./lib/local-stack.mjs";

const DOCUMENT = join(REPO_ROOT, "client/openapi.json");
const TYPES = join(REPO_ROOT, "client/src/schema.ts");
const bin = (name) => join(REPO_ROOT, "node_modules/.bin", name);

async function dump(file) {
	const document = await withLocalStack({}, async ({ origin }) => {
		const res = await fetch(`${origin}/openapi.json`);
		if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
		return res.json();
	});
	writeFileSync(file, `${JSON.stringify(document, null, "\t")}\n`);
	console.log(`openapi: wrote ${file}`);
}

function run(command, args) {
	const result = spawnSync(command, args, {
		cwd: REPO_ROOT,
		stdio: "inherit",
		env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
	});
	if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status ?? result.signal})`);
}

/** openapi-typescript's output for `input`, written to `output`. */
function generateTypes(input, output) {
	run(bin("openapi-typescript"), [input, "--output", output]);
}

async function lint() {
	const file = join(mkdtempSync(join(tmpdir(), "edge-pdf-openapi-")), "openapi.json");
	await dump(file);
	// validate() dereferences a copy and checks it against the OpenAPI 3.1 schema.
	await SwaggerParser.validate(structuredClone(JSON.parse(readFileSync(file, "utf8"))));
	console.log("openapi: @apidevtools/swagger-parser: valid");
	run(bin("redocly"), ["lint", file, "--config", join(REPO_ROOT, "redocly.yaml")]);
}

function check() {
	const fresh = join(mkdtempSync(join(tmpdir(), "edge-pdf-types-")), "schema.ts");
	generateTypes(DOCUMENT, fresh);
	if (readFileSync(fresh, "utf8") !== readFileSync(TYPES, "utf8")) {
		throw new Error("client/src/schema.ts is not what openapi-typescript makes of client/openapi.json: run `npm run client:generate`");
	}
	console.log("openapi: client/src/schema.ts is up to date");
}

const [command, arg] = process.argv.slice(2);
try {
	if (command === "dump") await dump(arg ?? DOCUMENT);
	else if (command === "lint") await lint();
	else if (command === "generate") {
		await dump(DOCUMENT);
		generateTypes(DOCUMENT, TYPES);
	} else if (command === "check") check();
	else throw new Error("usage: node scripts/openapi.mjs dump [file] | lint | generate | check");
} catch (err) {
	console.error(`openapi: ${err instanceof Error ? err.message : String(err)}`);
	process.exit(1);
}
