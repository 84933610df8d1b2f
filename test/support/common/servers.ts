// Common (types only): the Node-side servers as the Worker side sees them — the origins global
// setup provides to the tests through inject(), and the JSON each server answers a test with.
export type { ReceivedEvent } from "../../../scripts/lib/receiver.mjs";

declare module "vitest" {
	export interface ProvidedContext {
		/** Pages to render and webhook receivers (node/fixture-server.ts). */
		fixtureOrigin: string;
		/** An origin on 127.0.0.1 that refuses connections. */
		closedOrigin: string;
		/** The SigV4-verifying S3 server (node/s3-server.ts). */
		s3Origin: string;
		/** Opens raw TCP listeners that count connections (node/egress-listener.ts). */
		egressControl: string;
		/** A render target and a second origin on another port, both logging credentials (node/credential-servers.ts). */
		credentialOrigins: { target: string; other: string };
		/** Answers that arrive late, a request never answered, a page under a strict CSP (node/late-server.ts). */
		lateOrigin: string;
		/** Runs poppler and qpdf on a posted PDF (node/pdf-tools-server.ts). */
		pdfToolsOrigin: string;
	}
}

/** A connection one egress listener saw. */
export interface EgressConnection {
	/** The first line of what the client sent ("GET /x HTTP/1.1"), "binary:<n>" for non-text bytes, "" for none. */
	first: string;
}

/** An object the S3 server holds. */
export interface StoredObject {
	key: string;
	sha256: string;
	size: number;
	contentType: string | null;
	contentLength: string | null;
	headers: Record<string, string>;
}

/** A request the S3 server answered. */
export interface S3Request {
	method: string;
	key: string;
	status: number;
	code: string | null;
	/** "header" (Authorization) or "query" (presigned). */
	auth: "header" | "query" | "none";
}

/** What one request to a credential-logging origin carried. */
export interface CredentialHit {
	server: "target" | "other";
	path: string;
	authorization: string | null;
	cookie: string | null;
	secret: string | null;
}
