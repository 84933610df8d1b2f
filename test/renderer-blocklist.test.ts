// The renderer-side patterns (for what request interception does not see, e.g. <link rel=prefetch>),
// matched the way Chrome matches Network.setBlockedURLs patterns: the parts between "*" in order,
// anywhere in the URL. The browser test of the same is test/egress.test.ts ("<link rel=prefetch>").
import { describe, expect, it } from "vitest";
import { rendererBlocklist } from "../src/render/renderer-blocklist";

function chromeMatches(url: string, pattern: string): boolean {
	let at = 0;
	for (const part of pattern.split("*")) {
		const found = url.indexOf(part, at);
		if (found < 0) return false;
		at = found + part.length;
	}
	return true;
}

const blocked = (url: string) => rendererBlocklist().some((p) => chromeMatches(url, p));

describe("renderer blocklist", () => {
	it("refuses private literals and names", () => {
		for (const url of [
			"http://127.0.0.1:8080/x",
			"http://10.1.2.3/",
			"http://user@192.168.1.1/",
			"http://169.254.169.254/latest/meta-data/",
			"http://100.100.1.1/",
			"http://172.20.0.1/",
			"http://0.0.0.0:3000/",
			"http://[::1]/",
			"http://[::ffff:7f00:1]/",
			"http://[fd00::1]/",
			"http://localhost:9000/",
			"http://printer.local/",
			"http://db.internal:5432/",
		]) {
			expect(blocked(url), url).toBe(true);
		}
	});

	it("lets public addresses and names through", () => {
		for (const url of [
			"https://example.com/a.png",
			"https://0.gravatar.com/avatar/1",
			"http://172.32.0.1/",
			"http://100.128.0.1/",
			"http://8.8.8.8/",
			"http://[2606:4700::1111]/",
			"https://cdn.example/local/x.css",
		]) {
			expect(blocked(url), url).toBe(false);
		}
	});
});
