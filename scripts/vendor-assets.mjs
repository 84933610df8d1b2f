#!/usr/bin/env node
// Copies the pinned Swagger UI (devDependency swagger-ui-dist, exact version) from node_modules into
// the Worker's static assets (src/public/static/vendor/, gitignored), so /docs loads nothing from a
// third-party origin. Runs on install, before `npm start`, `npm test`, `npm run build` and `npm run deploy`.
// A file whose bytes are already there is not touched (scripts/lib/write-if-changed.mjs says why).
// `--out <dir>` writes elsewhere (the script's own test).
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeIfChanged } from "./lib/write-if-changed.mjs";

const FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"];
const repo = fileURLToPath(new URL("..", import.meta.url));
const out = process.argv.indexOf("--out");
const target = out === -1 ? join(repo, "src", "public", "static", "vendor", "swagger-ui") : process.argv[out + 1];

let source;
try {
	source = dirname(createRequire(join(repo, "package.json")).resolve("swagger-ui-dist/package.json"));
} catch {
	// A production install without devDependencies: keep whatever was copied before.
	if (!existsSync(join(target, FILES[0]))) console.warn("vendor-assets: swagger-ui-dist is not installed; /docs will not load until `npm install`");
	process.exit(0);
}
mkdirSync(target, { recursive: true });
for (const file of FILES) writeIfChanged(join(target, file), readFileSync(join(source, file)));
const { version } = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
if (process.argv.includes("--verbose")) console.log(`vendor-assets: swagger-ui-dist ${version} → ${target}`);
