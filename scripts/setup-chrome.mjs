#!/usr/bin/env node
// Points miniflare's local Browser Rendering at the system Chromium, so `npm start` and `npm test`
// render real PDFs offline. miniflare launches Chrome for Testing from
//   $XDG_CACHE_HOME/.wrangler/chrome/linux-<BROWSER_VERSION>/chrome-linux64/chrome
// and only downloads it when that file is missing; we put a small wrapper there instead.
// BROWSER_VERSION is read from every installed miniflare copy. CHROME_PATH overrides the browser.
import { existsSync, readFileSync, readdirSync, mkdirSync, chmodSync } from "node:fs";
import { homedir, platform } from "node:os";
import { join } from "node:path";
import { writeIfChanged } from "./lib/write-if-changed.mjs";

const MARKER = "# edge-pdf: system Chromium wrapper";
/** Chrome keeps only the last --disable-features switch, so the wrapper appends to miniflare's. */
const EXTRA_DISABLED_FEATURES = "WebUIReloadButton,WebUIOmniboxPopup,WebUIOmniboxAimPopup";
const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

function findChrome() {
	if (process.env.CHROME_PATH) {
		if (!existsSync(process.env.CHROME_PATH)) throw new Error(`CHROME_PATH=${process.env.CHROME_PATH} does not exist`);
		return process.env.CHROME_PATH;
	}
	return CANDIDATES.find((p) => existsSync(p));
}

/** Every node_modules/**\/miniflare, since wrangler and the vitest plugin may each carry a copy. */
function miniflareDirs(root, depth = 0, found = []) {
	if (depth > 6 || !existsSync(root)) return found;
	for (const entry of readdirSync(root, { withFileTypes: true })) {
		if (!entry.isDirectory() || entry.name === ".bin" || entry.name === ".cache") continue;
		const dir = join(root, entry.name);
		if (entry.name === "miniflare") found.push(dir);
		else if (entry.name.startsWith("@")) miniflareDirs(dir, depth, found);
		const nested = join(dir, "node_modules");
		if (existsSync(nested)) miniflareDirs(nested, depth + 1, found);
	}
	return found;
}

function browserVersions() {
	const versions = new Set();
	for (const dir of miniflareDirs(join(process.cwd(), "node_modules"))) {
		const index = join(dir, "dist", "src", "index.js");
		if (!existsSync(index)) continue;
		const match = readFileSync(index, "utf8").match(/var BROWSER_VERSION = "([^"]+)"/);
		if (match) versions.add(match[1]);
	}
	return [...versions];
}

function main() {
	if (platform() !== "linux") {
		console.log("setup-chrome: not Linux; wrangler downloads its own Chrome for Testing.");
		return;
	}
	const chrome = findChrome();
	if (!chrome) {
		console.warn("setup-chrome: no system Chromium found (install `chromium` or set CHROME_PATH); wrangler will try to download Chrome.");
		return;
	}
	const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
	const wrapper = [
		"#!/bin/sh",
		MARKER,
		"# miniflare's flags were written for Chrome 126. Newer Chromium also wants these WebUI features off",
		"# (puppeteer's own defaults do so); left on, every new browser context costs ~150 ms more.",
		`extra="${EXTRA_DISABLED_FEATURES}"`,
		"merged=",
		"for arg do",
		"  shift",
		'  case "$arg" in --disable-features=*) arg="$arg,$extra"; merged=1 ;; esac',
		'  set -- "$@" "$arg"',
		"done",
		'[ -n "$merged" ] || set -- "$@" "--disable-features=$extra"',
		`exec "${chrome}" --no-sandbox --disable-gpu --disable-quic --disable-dev-shm-usage "$@"`,
		"",
	].join("\n");
	for (const version of browserVersions()) {
		const dir = join(cache, ".wrangler", "chrome", `linux-${version}`, "chrome-linux64");
		const target = join(dir, "chrome");
		if (existsSync(target) && !readFileSync(target).includes(MARKER)) {
			console.log(`setup-chrome: ${target} is a real Chrome download; leaving it.`);
			continue;
		}
		mkdirSync(dir, { recursive: true });
		// Unchanged, the wrapper is left alone: another stack may be launching Chrome through it right now.
		if (!writeIfChanged(target, wrapper)) continue;
		chmodSync(target, 0o755);
		console.log(`setup-chrome: Chrome ${version} -> ${chrome}`);
	}
}

main();
