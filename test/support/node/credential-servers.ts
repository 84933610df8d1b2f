// Node side (global setup): two origins on 127.0.0.1, a render's target and a second one on another
// port (same host: cookies do not tell ports apart), each logging what credentials every request
// carried. The target's page pulls from both and redirects to the other.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type Listening, listenLocal } from "./listen";
import type { CredentialHit } from "../common/servers";

export const SECRET_HEADER = "x-tenant-secret";

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Listening> {
	const server = createServer(handler);
	return listenLocal(server);
}

function targetPage(token: string, other: string): string {
	return [
		"<!doctype html><p>CREDENTIALS-PAGE</p>",
		`<img src="/cred/${token}/same.png">`,
		`<img src="${other}/cred/${token}/third-party.png">`,
		`<img src="/cred/${token}/redirect">`,
		`<script>fetch("${other}/cred/${token}/fetch", { credentials: "include" }).catch(() => {});</script>`,
	].join("\n");
}

export async function startCredentialServers(): Promise<{ target: string; other: string; close: () => Promise<void> }> {
	const hits = new Map<string, CredentialHit[]>();
	let otherOrigin = "";
	const record = (server: CredentialHit["server"]) => (req: IncomingMessage, res: ServerResponse) => {
		const [, kind = "", token = "", what = ""] = new URL(req.url ?? "/", "http://x").pathname.split("/");
		if (kind === "__log") {
			res.setHeader("content-type", "application/json");
			return res.end(JSON.stringify(hits.get(token) ?? []));
		}
		if (kind !== "cred") {
			res.statusCode = 404;
			return res.end();
		}
		const header = (name: string) => (req.headers[name] === undefined ? null : String(req.headers[name]));
		hits.set(token, [
			...(hits.get(token) ?? []),
			{ server, path: what, authorization: header("authorization"), cookie: header("cookie"), secret: header(SECRET_HEADER) },
		]);
		if (server === "target" && what === "page") {
			res.writeHead(200, { "content-type": "text/html" });
			return res.end(targetPage(token, otherOrigin));
		}
		if (server === "target" && what === "redirect") {
			res.writeHead(302, { location: `${otherOrigin}/cred/${token}/redirected.png` });
			return res.end();
		}
		res.writeHead(200, { "content-type": "image/gif", "access-control-allow-origin": "*" });
		res.end(Buffer.from("R0lGODlhAQABAAAAACw=", "base64"));
	};
	const other = await serve(record("other"));
	otherOrigin = other.origin;
	const target = await serve(record("target"));
	return {
		target: target.origin,
		other: other.origin,
		close: async () => {
			await Promise.all([target.close(), other.close()]);
		},
	};
}
