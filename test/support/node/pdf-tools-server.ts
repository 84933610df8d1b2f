// Node side: runs in the vitest main process, started by global-setup.ts.
// PDF tools no one here wrote, for the Worker-side tests: poppler (pdftotext, pdfinfo, pdffonts,
// pdftoppm, pdfsig, pdfdetach) and qpdf, run on the PDF a test posts. The Workers runtime cannot
// start a process, so the tests reach them over HTTP: POST /<tool>?arg=…&arg=… with the PDF as the
// body; the argument "{pdf}" stands for the posted file, and "{out}" for a file the tool writes
// whose bytes are answered as its stdout (pdfdetach -save cannot write to /dev/stdout: Node's child
// pipes are sockets, which open() refuses). The answer is JSON: the exit code, stdout as base64
// (pdftoppm writes a PNG there) and stderr as text. Only the tools named here run.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ToolAnswer } from "../common/pdf-tools";
import { listenLocal, type Listening } from "./listen";

const TOOLS = new Set(["pdftotext", "pdfinfo", "pdffonts", "pdftoppm", "pdfsig", "pdfdetach", "qpdf"]);
/** A tool that hangs on a hostile file must not hang the test run. */
const TOOL_TIMEOUT_MS = 30_000;

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

function run(tool: string, args: string[]): Promise<ToolAnswer> {
	return new Promise((resolve) => {
		// TZ=UTC: pdfsig prints the signing time in local time; tests compare it with the PDF's UTC /M.
		const env = { ...process.env, TZ: "UTC" };
		execFile(tool, args, { encoding: "buffer", maxBuffer: 256 * 1024 * 1024, timeout: TOOL_TIMEOUT_MS, env }, (err, stdout, stderr) => {
			const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
			resolve({ code, stdout: stdout.toString("base64"), stderr: stderr.toString("utf8") });
		});
	});
}

async function answer(req: IncomingMessage): Promise<{ status: number; body: ToolAnswer | { error: string } }> {
	const url = new URL(req.url ?? "/", "http://localhost");
	const tool = url.pathname.slice(1);
	if (req.method !== "POST" || !TOOLS.has(tool)) return { status: 404, body: { error: `no such tool: ${tool}` } };
	const dir = await mkdtemp(join(tmpdir(), "edge-pdf-tools-"));
	try {
		const file = join(dir, "in.pdf");
		const out = join(dir, "out");
		await writeFile(file, await bodyOf(req));
		const args = url.searchParams.getAll("arg").map((arg) => (arg === "{pdf}" ? file : arg === "{out}" ? out : arg));
		const answer = await run(tool, args);
		if (!args.includes(out)) return { status: 200, body: answer };
		const written = await readFile(out).catch(() => Buffer.alloc(0));
		return { status: 200, body: { ...answer, stdout: written.toString("base64") } };
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

export async function startPdfToolsServer(): Promise<Listening> {
	const server = createServer((req, res) => {
		answer(req).then(
			({ status, body }) => {
				// One connection per call: a kept-alive socket that Node closes after 5 idle seconds (a test
				// renders between two tool calls) races the Worker's next request on it ("Network connection lost").
				res.writeHead(status, { "content-type": "application/json", connection: "close" });
				res.end(JSON.stringify(body));
			},
			(err: unknown) => {
				res.writeHead(500, { "content-type": "application/json" });
				res.end(JSON.stringify({ error: String(err) }));
			},
		);
	});
	return listenLocal(server);
}
