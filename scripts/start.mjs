#!/usr/bin/env node
// `npm start [-- wrangler dev flags]`: the whole stack on http://localhost:8787 with local
// Durable Objects, Queues, R2 and the system Chromium behind the BROWSER binding.
import { copyFileSync, existsSync } from "node:fs";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

// Run from the repository root, with this project's wrangler and the Node running this script
// (the pinned Node 22 under npm), whatever the caller's PATH holds.
process.chdir(fileURLToPath(new URL("..", import.meta.url)));
const wrangler = fileURLToPath(new URL("../node_modules/wrangler/bin/wrangler.js", import.meta.url));

if (!existsSync(".dev.vars")) {
	copyFileSync(".dev.vars.example", ".dev.vars");
	console.log("start: created .dev.vars from .dev.vars.example (API key: dev_local_key)");
}
await import("./setup-chrome.mjs");
await import("./vendor-assets.mjs");

// No telemetry: the local stack must work offline.
const child = spawn(process.execPath, [wrangler, "dev", ...process.argv.slice(2)], {
	stdio: "inherit",
	env: { WRANGLER_SEND_METRICS: "false", ...process.env },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
