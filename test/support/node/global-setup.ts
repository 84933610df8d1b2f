// Node side: vitest's global setup, run in the main process before the Workers start: a local HTTP server for pages to render and webhooks to
// receive, whose port reaches the tests through inject("fixtureOrigin"); an origin nothing listens
// on, inject("closedOrigin"), for connection failures; a SigV4-verifying S3 server for destination
// deliveries, inject("s3Origin"); connection-counting listeners for the egress tests,
// inject("egressControl"); two credential-logging origins, inject("credentialOrigins"); and answers
// that arrive late, inject("lateOrigin"); PDF tools (poppler, qpdf) run on posted PDFs, inject("pdfToolsOrigin"). The keys provided here are typed in common/servers.ts (ProvidedContext).
import { readdirSync, readFileSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { startCredentialServers } from "./credential-servers";
import { startEgressControl } from "./egress-listener";
import { closedOrigin, startFixtureServer } from "./fixture-server";
import { startLateServer } from "./late-server";
import { startPdfToolsServer } from "./pdf-tools-server";
import { startS3Server } from "./s3-server";

/** pid → parent pid for every live process (Linux /proc; empty elsewhere). */
function parents(): Map<number, number> {
	const map = new Map<number, number>();
	let names: string[] = [];
	try {
		names = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
	} catch {
		return map;
	}
	for (const name of names) {
		try {
			const stat = readFileSync(`/proc/${name}/stat`, "utf8");
			map.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
		} catch {
			// exited meanwhile
		}
	}
	return map;
}

/**
 * miniflare keeps the test run's Chromium alive (keep_alive sessions) and does not close it on
 * exit, so it would outlive the run and keep burning CPU. Stops the browsers under this process.
 */
function stopOwnBrowsers(): void {
	const ppid = parents();
	const isOurs = (pid: number) => {
		for (let p = ppid.get(pid), hops = 0; p !== undefined && p > 1 && hops < 64; p = ppid.get(p), hops++) if (p === process.pid) return true;
		return false;
	};
	for (const pid of ppid.keys()) {
		try {
			if (isOurs(pid) && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("browser-rendering/profile-")) process.kill(pid, "SIGTERM");
		} catch {
			// exited meanwhile
		}
	}
}

export default async function setup(project: TestProject) {
	const server = await startFixtureServer();
	project.provide("fixtureOrigin", server.origin);
	project.provide("closedOrigin", await closedOrigin());
	const s3 = await startS3Server();
	project.provide("s3Origin", s3.origin);
	const egress = await startEgressControl();
	project.provide("egressControl", egress.origin);
	const credentials = await startCredentialServers();
	project.provide("credentialOrigins", { target: credentials.target, other: credentials.other });
	const late = await startLateServer();
	project.provide("lateOrigin", late.origin);
	const tools = await startPdfToolsServer();
	project.provide("pdfToolsOrigin", tools.origin);
	return async () => {
		stopOwnBrowsers();
		await server.close();
		await s3.close();
		await egress.close();
		await credentials.close();
		await late.close();
		await tools.close();
	};
}
