// Worker side: runs inside workerd, imported by the tests.
// Reads a PDF with tools no one here wrote: poppler and qpdf, run by the Node-side tools server
// (node/pdf-tools-server.ts) on the bytes posted to it.
import { inject } from "vitest";
import type { ToolAnswer } from "../common/pdf-tools";
import { decodePng, type Pixels } from "./png";

export interface ToolRun {
	code: number;
	stdout: Uint8Array;
	stderr: string;
}

/** Runs `tool` with `args` ("{pdf}" is the PDF's file; "{out}" a file whose bytes come back as stdout) on `pdf`; whatever its exit code. */
export async function runTool(tool: string, args: string[], pdf: Uint8Array): Promise<ToolRun> {
	const query = new URLSearchParams(args.map((arg) => ["arg", arg]));
	const res = await fetch(`${inject("pdfToolsOrigin")}/${tool}?${query}`, { method: "POST", body: pdf });
	if (res.status !== 200) throw new Error(`pdf tools server: ${res.status} ${await res.text()}`);
	const answer = (await res.json()) as ToolAnswer;
	return { code: answer.code, stdout: Uint8Array.from(atob(answer.stdout), (c) => c.charCodeAt(0)), stderr: answer.stderr };
}

/** Runs `tool` and expects it to succeed: its stdout. */
async function ok(tool: string, args: string[], pdf: Uint8Array): Promise<Uint8Array> {
	const run = await runTool(tool, args, pdf);
	if (run.code !== 0) throw new Error(`${tool} ${args.join(" ")} exited ${run.code}: ${run.stderr}`);
	return run.stdout;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** poppler's pdftotext (layout kept), the whole document or pages first..last; pages are split by form feeds. */
export async function pdftotext(pdf: Uint8Array, pages?: { first: number; last: number }): Promise<string> {
	const range = pages ? ["-f", String(pages.first), "-l", String(pages.last)] : [];
	return text(await ok("pdftotext", ["-layout", "-enc", "UTF-8", ...range, "{pdf}", "-"], pdf));
}

/** The text of each page, by poppler (pdftotext splits pages with a form feed). */
export async function pageTexts(pdf: Uint8Array): Promise<string[]> {
	const pages = (await pdftotext(pdf)).split("\f");
	// The text ends with a form feed after the last page.
	if (pages.at(-1)?.trim() === "") pages.pop();
	return pages;
}

/** poppler's pdfinfo as key → value ("Pages", "Title", "Tagged", …). */
export async function pdfinfo(pdf: Uint8Array): Promise<Record<string, string>> {
	const lines = text(await ok("pdfinfo", ["-enc", "UTF-8", "{pdf}"], pdf)).split("\n");
	return Object.fromEntries(
		lines.flatMap((line) => {
			const at = line.indexOf(":");
			return at > 0 ? [[line.slice(0, at).trim(), line.slice(at + 1).trim()]] : [];
		}),
	);
}

/** qpdf's JSON view of the file (qpdf --json, version 2): every object under qpdf[1]. */
export async function qpdfJson(pdf: Uint8Array): Promise<QpdfJson> {
	return JSON.parse(text(await ok("qpdf", ["--json", "--json-key=qpdf", "--json-key=outlines", "--json-key=pages", "{pdf}"], pdf))) as QpdfJson;
}

/** What qpdf --json reports (the keys the tests read). */
export interface QpdfJson {
	/** [header, objects]: objects maps "obj:N G R" (and "trailer") to { value } or { stream: { dict } }. */
	qpdf: [Record<string, unknown>, Record<string, QpdfObject>];
	outlines: QpdfOutline[];
	pages: Array<{ object: string; pageposfrom1: number }>;
}
export interface QpdfObject {
	value?: unknown;
	stream?: { dict: Record<string, unknown> };
}
export interface QpdfOutline {
	/** The outline item's own object ("N G R"). */
	object: string;
	title: string;
	dest: unknown;
	destpageposfrom1: number | null;
	kids: QpdfOutline[];
}

/** qpdf --check: true when qpdf finds no damage (its exit code 0). */
export async function qpdfCheck(pdf: Uint8Array): Promise<{ ok: boolean; output: string }> {
	const run = await runTool("qpdf", ["--check", "{pdf}"], pdf);
	return { ok: run.code === 0, output: text(run.stdout) + run.stderr };
}

/** Page `page` (from 1) rasterised by poppler's pdftoppm at `dpi`, decoded. */
export async function rasterise(pdf: Uint8Array, page: number, dpi = 36): Promise<Pixels> {
	const png = await ok("pdftoppm", ["-png", "-r", String(dpi), "-f", String(page), "-l", String(page), "-singlefile", "{pdf}"], pdf);
	return decodePng(png);
}
