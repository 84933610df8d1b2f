// Tests run inside workerd with the real local Durable Objects, Queues, R2 and Browser Rendering
// (the system Chromium, via scripts/setup-chrome.mjs). Two projects differ only in the address policy:
// "worker" keeps production's SSRF rules; "local-network" allows loopback so pages and webhook
// receivers served by the test process on 127.0.0.1 can be reached. A third, "node", runs in Node
// against `wrangler dev` (scripts/lib/local-stack.mjs) with a real browser (playwright-core).
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_BINDINGS } from "./test/support/common/bindings.ts";

const project = (name: string, include: string[], vars: Record<string, string>) => ({
	plugins: [
		cloudflareTest({
			wrangler: { configPath: "./wrangler.toml" },
			miniflare: { bindings: { ...TEST_BINDINGS, ...vars } },
		}),
	],
	// Binary fixtures Vite does not know as assets, imported with `?inline`: the sRGB ICC profile and
	// the PKCS#12 files of test/fixtures/signing.
	assetsInclude: ["**/*.icc", "**/*.p12"],
	test: { name, include, testTimeout: 60_000, hookTimeout: 60_000 },
});

export default defineConfig({
	test: {
		globalSetup: ["./test/support/node/global-setup.ts"],
		// Test files run three at a time whatever the core count (vitest would run one on a two-core
		// machine): most of a file's time is spent waiting on Chromium, timers and local servers, and each
		// file starts its own workerd. Files share nothing but the Node-side servers of global-setup.ts.
		maxWorkers: 3,
		// The Worker logs a JSON line per request and job phase: show them only for failing tests.
		silent: "passed-only",
		projects: [
			project("worker", ["test/*.test.ts"], { ALLOW_PRIVATE_NETWORK: "false" }),
			// A short webhook schedule (4 attempts, 1 s apart) keeps retry tests quick.
			project("local-network", ["test/local/*.test.ts"], { ALLOW_PRIVATE_NETWORK: "true", WEBHOOK_RETRY_SCHEDULE: "1,1,1" }),
			// Plain Node: the scripts (test/node), and the whole local stack (wrangler dev) driven in the system Chromium (test/e2e).
			{ test: { name: "node", include: ["test/node/*.test.ts", "test/e2e/*.test.ts"], environment: "node", testTimeout: 180_000, hookTimeout: 180_000 } },
		],
	},
});
