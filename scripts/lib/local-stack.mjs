// Starts the whole local stack (scripts/start.mjs → wrangler dev → workerd + Chromium) as a child
// process on a free port with fresh, throw-away state, and stops every process it started.
//
//   const stack = await startLocalStack({ vars: { WEBHOOK_RETRY_SCHEDULE: "1,1" } });
//   ... stack.origin ...
//   await stack.stop();
//
// The child's output goes to <tmp>/wrangler.log, never to the console. Process cleanup: the child
// is a process-group leader (detached), but miniflare launches Chromium detached as well (its own
// session and group), so stop() snapshots the whole process tree under the child from /proc first
// and then signals both the group and every process of that snapshot, by pid.
import { spawn } from "node:child_process";
import { closeSync, cpSync, fstatSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/** /proc/<pid>/stat → { pid, ppid, pgrp, state, start } or null when gone. */
function procStat(pid) {
	try {
		const text = readFileSync(`/proc/${pid}/stat`, "utf8");
		// The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
		const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
		return { pid, state: rest[0], ppid: Number(rest[1]), pgrp: Number(rest[2]), start: rest[19] };
	} catch {
		return null;
	}
}

/** Every live process under root (inclusive), as { pid, start } so a recycled pid is never signalled. */
export function processTree(root) {
	const children = new Map();
	for (const name of readdirSync("/proc")) {
		if (!/^\d+$/.test(name)) continue;
		const stat = procStat(Number(name));
		if (!stat) continue;
		if (!children.has(stat.ppid)) children.set(stat.ppid, []);
		children.get(stat.ppid).push(stat);
	}
	const rootStat = procStat(root);
	if (!rootStat) return [];
	const found = [rootStat];
	for (let i = 0; i < found.length && i < 10_000; i++) found.push(...(children.get(found[i].pid) ?? []));
	return found;
}

/** True while the process is the same one we saw (same start time) and not a zombie. */
function alive({ pid, start }) {
	const stat = procStat(pid);
	return stat !== null && stat.start === start && stat.state !== "Z" && stat.state !== "X";
}

function signal(target, sig) {
	try {
		process.kill(target, sig);
		return true;
	} catch {
		return false;
	}
}

/** Top-level entries of the repository that a snapshot leaves out (node_modules is linked instead). */
const SNAPSHOT_SKIP = new Set(["node_modules", ".git", ".wrangler", "dist", ".state", ".ci-results.json"]);

/**
 * Copies the working tree (src/, test/, scripts/, wrangler.toml, package.json, .dev.vars…) into
 * `dest` and links node_modules, so that a stack started there does not hot-reload when someone
 * edits src/ during a run (wrangler dev always watches its sources).
 */
function snapshotRepo(dest) {
	cpSync(REPO_ROOT, dest, {
		recursive: true,
		filter: (src) => {
			const rel = src.slice(REPO_ROOT.length).replace(/^\/+/, "");
			const top = rel.split("/")[0];
			return !SNAPSHOT_SKIP.has(top) && !rel.endsWith(".log");
		},
	});
	symlinkSync(join(REPO_ROOT, "node_modules"), join(dest, "node_modules"), "dir");
	return dest;
}

/**
 * Starts `node scripts/start.mjs --port <free> --persist-to <fresh tmp> --var ALLOW_PRIVATE_NETWORK:true`
 * plus `--var NAME:value` for each entry of `vars` and any `args`, from the repository root, and waits
 * until GET /healthz answers 200. `snapshot: true` runs it from a copy of the working tree taken now
 * (node_modules linked) instead, immune to concurrent edits. `root` runs another checkout's stack
 * (the benchmark guard's "before").
 * @param {{ vars?: Record<string,string>, args?: string[], port?: number, healthTimeoutMs?: number, snapshot?: boolean, root?: string }} [options]
 * @returns {Promise<{ origin: string, port: number, dir: string, logFile: string, pid: number, stop: () => Promise<void> }>}
 */
export async function startLocalStack({ vars = {}, args = [], port, healthTimeoutMs = 90_000, snapshot = false, root = REPO_ROOT } = {}) {
	port ??= await freePort();
	const dir = mkdtempSync(join(tmpdir(), "edge-pdf-stack-"));
	const cwd = snapshot ? snapshotRepo(join(dir, "repo")) : root;
	const persistTo = join(dir, "state");
	const logFile = join(dir, "wrangler.log");
	const varArgs = Object.entries({ ALLOW_PRIVATE_NETWORK: "true", ...vars }).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
	const argv = ["scripts/start.mjs", "--port", String(port), "--persist-to", persistTo, ...varArgs, ...args];

	const logFd = openSync(logFile, "a");
	// process.execPath: the Node running this script (the repo's Node 22 when run as documented);
	// start.mjs hands the same binary to wrangler, which needs Node >= 22.12.
	const child = spawn(process.execPath, argv, {
		cwd,
		detached: true,
		stdio: ["ignore", logFd, logFd],
		env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
	});
	closeSync(logFd);
	const pid = child.pid;
	let exited = null;
	const exitPromise = new Promise((resolve) => {
		child.on("exit", (code, sig) => {
			exited = { code, signal: sig };
			resolve(exited);
		});
		child.on("error", (error) => {
			exited = { code: null, signal: null, error };
			resolve(exited);
		});
	});

	let known = []; // the last process-tree snapshot: { pid, start }
	const refreshTree = () => {
		if (pid === undefined) return known;
		const tree = processTree(pid);
		const seen = new Set(known.map((p) => `${p.pid}:${p.start}`));
		for (const p of tree) if (!seen.has(`${p.pid}:${p.start}`)) known.push({ pid: p.pid, start: p.start, pgrp: p.pgrp });
		known = known.filter(alive);
		return known;
	};
	// Keep the snapshot fresh so that browsers launched during the run are known even if the
	// wrangler process dies first (Chromium is then reparented to init and invisible from the tree).
	const snapshotTimer = setInterval(refreshTree, 2_000);
	snapshotTimer.unref();

	let stopping = null;
	/** Synchronous last resort (process 'exit'): SIGKILL everything known. */
	const killNow = () => {
		if (pid === undefined) return;
		clearInterval(snapshotTimer);
		const procs = refreshTree();
		signal(-pid, "SIGKILL");
		for (const p of procs) if (alive(p)) signal(p.pid, "SIGKILL");
	};
	const stop = () => {
		stopping ??= (async () => {
			if (pid === undefined) return;
			const procs = refreshTree();
			clearInterval(snapshotTimer);
			// Groups led by one of our processes (Chromium's zygotes live in the browser's group).
			const groups = new Set([pid, ...procs.filter((p) => p.pgrp === p.pid).map((p) => p.pid)]);
			for (const g of groups) signal(-g, "SIGTERM");
			for (const p of procs) if (alive(p)) signal(p.pid, "SIGTERM");
			for (let i = 0; i < 50 && procs.some(alive); i++) await sleep(100);
			const left = procs.filter(alive);
			for (const g of groups) signal(-g, "SIGKILL");
			for (const p of left) signal(p.pid, "SIGKILL");
			for (let i = 0; i < 30 && procs.some(alive); i++) await sleep(100);
			const stuck = procs.filter(alive);
			if (stuck.length) console.error(`local-stack: processes still alive after SIGKILL: ${stuck.map((p) => p.pid).join(", ")}`);
			process.off("exit", killNow);
			process.off("SIGINT", onSignal);
			process.off("SIGTERM", onSignal);
		})();
		return stopping;
	};
	// Ctrl-C or a kill of this script: stop the stack, then exit (a signal death skips 'exit').
	const onSignal = (sig) => {
		console.error(`\n${sig}: stopping the local stack (log: ${logFile})…`);
		stop().finally(() => process.exit(sig === "SIGINT" ? 130 : 143));
	};
	process.on("exit", killNow);
	process.on("SIGINT", onSignal);
	process.on("SIGTERM", onSignal);

	const origin = `http://127.0.0.1:${port}`;
	const fail = async (reason) => {
		await stop();
		let tail = "";
		try {
			tail = readFileSync(logFile, "utf8").split("\n").slice(-40).join("\n");
		} catch {}
		const error = new Error(`local stack did not start: ${reason}\n  log: ${logFile}\n--- last lines ---\n${tail}`);
		error.logFile = logFile;
		throw error;
	};

	if (pid === undefined) {
		await exitPromise;
		return fail(`spawn failed: ${exited?.error?.message ?? "unknown"}`);
	}

	const deadline = Date.now() + healthTimeoutMs;
	for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
		if (exited) return fail(`start.mjs exited early (code ${exited.code}, signal ${exited.signal})`);
		try {
			const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2_000) });
			await res.arrayBuffer();
			if (res.status === 200) {
				refreshTree();
				return { origin, port, dir, cwd, persistTo, logFile, pid, stop, exited: () => exited };
			}
		} catch {
			// not listening yet
		}
		await Promise.race([sleep(500), exitPromise]);
	}
	return fail(`GET ${origin}/healthz did not answer 200 within ${Math.round(healthTimeoutMs / 1000)} s`);
}

/**
 * Calls onLine(line, at) for every complete line appended to `file` from now on (checked every
 * intervalMs, so `at` is accurate to about that). Returns stop(), which reads what is left first.
 */
export function followLog(file, onLine, { intervalMs = 500, fromStart = false } = {}) {
	let fd = null;
	let offset = 0;
	let partial = "";
	try {
		fd = openSync(file, "r");
		offset = fromStart ? 0 : fstatSync(fd).size;
	} catch {
		return () => {};
	}
	const buffer = Buffer.alloc(256 * 1024);
	const poll = () => {
		const at = Date.now();
		// At most 64 MiB per tick: bounded even if the log explodes.
		for (let i = 0; i < 256; i++) {
			const n = readSync(fd, buffer, 0, buffer.length, offset);
			if (n <= 0) break;
			offset += n;
			const lines = (partial + buffer.toString("utf8", 0, n)).split("\n");
			partial = lines.pop() ?? "";
			for (const line of lines) onLine(line, at);
		}
	};
	const timer = setInterval(poll, intervalMs);
	timer.unref();
	return () => {
		clearInterval(timer);
		try {
			poll();
			closeSync(fd);
		} catch {}
	};
}

/** Runs `fn(stack)` with a started stack and always stops it afterwards. */
export async function withLocalStack(options, fn) {
	const stack = await startLocalStack(options);
	try {
		return await fn(stack);
	} finally {
		await stack.stop();
	}
}

export { REPO_ROOT };
