// Runs in Node before the Workers start: a local HTTP server for pages to render and webhooks to
// receive, whose port reaches the tests through inject("fixtureOrigin").
import type { TestProject } from "vitest/node";
import { startFixtureServer } from "./fixture-server";

declare module "vitest" {
	export interface ProvidedContext {
		fixtureOrigin: string;
	}
}

export default async function setup(project: TestProject) {
	const server = await startFixtureServer();
	project.provide("fixtureOrigin", server.origin);
	return () => server.close();
}
