#!/usr/bin/env node
// Copies the pinned Swagger UI (devDependency swagger-ui-dist, exact version) from node_modules into
// the Worker's static assets (src/public/static/vendor/, gitignored), so /docs loads nothing from a
// third-party origin. Runs on install, before `npm start`, `npm test`, `npm run build` and `npm run deploy`.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"];
const repo = fileURLToPath(new URL("..", import.meta.url));
const target = join(repo, "src", "public", "static", "vendor", "swagger-ui");

let source;
try {
	source = dirname(createRequire(join(repo, "package.json")).resolve("swagger-ui-dist/package.json"));
} catch {
	// A production install without devDependencies: keep whatever was copied before.
	if (!existsSync(join(target, FILES[0]))) console.warn("vendor-assets: swagger-ui-dist is not installed; /docs will not load until `npm install`");
	process.exit(0);
}
mkdirSync(target, { recursive: true });
for (const file of FILES) copyFileSync(join(source, file), join(target, file));
const { version } = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
if (process.argv.includes("--verbose")) console.log(`vendor-assets: swagger-ui-dist ${version} → ${target}`);
