// Worker side: runs inside workerd, imported by the tests.
// A page whose subresources all point at the fixture server's /probe/<token>/..., plus what reached it.
import { inject } from "vitest";
import { serverJson } from "./server-json";

export function probePage(token: string, includeMetadata: boolean): string {
	const local = `${inject("fixtureOrigin")}/probe/${token}`;
	return [
		"<!doctype html><p>VISIBLE-TEXT</p>",
		`<img src="${local}/img">`,
		`<iframe src="${local}/frame" width="400" height="100"></iframe>`,
		`<script>fetch("${local}/fetch").catch(() => {}); var x = new XMLHttpRequest(); x.open("GET", "${local}/xhr"); x.send();</script>`,
		`<link rel="stylesheet" href="${local}/css">`,
		includeMetadata ? '<img src="http://169.254.169.254/latest/meta-data/"><iframe src="http://[::ffff:a9fe:a9fe]/"></iframe>' : "",
	].join("\n");
}

export async function probeHits(token: string): Promise<string[]> {
	return serverJson<string[]>(`${inject("fixtureOrigin")}/__hooks/probes/${token}`);
}
