// Readiness: the page prints once what loads late has arrived (lazy images, IntersectionObserver
// loaders, images swapped in, fonts applied after a data fetch), the explicit waits hold until the
// page says it is ready, and page.failOn turns what went wrong on the page into PAGE_CHECK_FAILED.
// Pages are inline HTML whose late parts come from a local server (test/support/late-server.ts).
import { describe, expect, inject, it } from "vitest";
import { postRender, renderToEnd } from "../support/worker/api";
import { printDirect } from "../support/worker/direct-print";
import { expectError } from "../support/worker/errors";
import { LATE_FONT_NAME, LATE_IMAGE } from "../support/common/late-content";
import { renderPdf } from "../support/worker/pdf";
import { fontNames, imagesOnPage } from "../support/worker/pdf-content";

const late = inject("lateOrigin");

/**
 * A document several pages long whose last page has two images that load late: a loading=lazy
 * image, and one an IntersectionObserver loader only starts once it scrolls into view; both are
 * answered 3.5 s after they are asked for (Chromium waits about 2 s for images when it prints).
 */
const LAZY_AT_THE_END = `<!doctype html><p>START</p><div style="height:6000px"></div>
<img loading="lazy" src="${late}/late/3500/lazy.png" width="200" height="100">
<img id="io" data-src="${late}/late/3500/io.png" width="200" height="100">
<script>
	new IntersectionObserver((entries, observer) => {
		for (const e of entries) if (e.isIntersecting) { e.target.src = e.target.dataset.src; observer.unobserve(e.target); }
	}).observe(document.getElementById("io"));
</script>`;

const redImages = (images: Array<{ width: number; height: number }>) => images.filter((i) => i.width === LATE_IMAGE.width && i.height === LATE_IMAGE.height);

describe("readiness by default", () => {
	it("late content at the end of a long document (a loading=lazy image, an IntersectionObserver loader, 3.5 s late) is on the last page", async () => {
		const { bytes, facts } = await renderPdf({ html: LAZY_AT_THE_END });
		expect(facts.pages).toBeGreaterThan(3);
		expect(redImages(await imagesOnPage(bytes, -1))).toHaveLength(2);
	});

	it("ready:false turns the steps off: the same document prints at load, without them, and reports every step skipped", async () => {
		const { bytes } = await renderPdf({ html: LAZY_AT_THE_END, page: { ready: false } });
		expect(redImages(await imagesOnPage(bytes, -1))).toHaveLength(0);
		const { observed } = await printDirect({ html: "<p>plain</p>" }, { ready: false }, true);
		expect(observed.map((o) => o.readiness)).toEqual([{ lazyLoad: "skipped", images: "skipped", fonts: "skipped", networkIdle: "skipped" }]);
	});

	it("with JavaScript off the page-script steps are skipped and network idle still runs", async () => {
		const { observed } = await printDirect({ html: "<p>static</p>" }, { javaScriptEnabled: false }, true);
		expect(observed.map((o) => o.readiness)).toEqual([{ lazyLoad: "skipped", images: "skipped", fonts: "skipped", networkIdle: "done" }]);
	});

	it("a web font applied after a 2 s data fetch is embedded", async () => {
		const html = `<!doctype html><style>@font-face{font-family:Late;src:url(${late}/late/0/face.ttf)} .late{font-family:Late}</style>
			<p id="t">FONT-TEXT</p>
			<script>fetch("${late}/late/2000/data.json").then((r) => r.json()).then(() => { document.getElementById("t").className = "late"; });</script>`;
		const { bytes } = await renderPdf({ html });
		expect(fontNames(bytes).some((name) => name.startsWith(LATE_FONT_NAME))).toBe(true);
	});

	it("an image swapped in after load, once its data arrived, and served late is printed", async () => {
		const html = `<!doctype html><img id="chart" width="200" height="100" alt="chart">
			<script>fetch("${late}/late/300/data.json").then(() => { document.getElementById("chart").src = "${late}/late/2000/chart.png"; });</script>`;
		const { bytes } = await renderPdf({ html });
		expect(redImages(await imagesOnPage(bytes, 1))).toHaveLength(1);
	});

	it("a page that is never idle (long polling) still prints within its budget; network idle is reported timed out, the poll pending", async () => {
		const html = `<!doctype html><p>POLLING</p><script>fetch("${late}/hang");</script>`;
		const { result, observed } = await printDirect({ html }, { timeoutMs: 3000 }, true);
		expect("bytes" in result, String("error" in result && result.error)).toBe(true);
		expect(observed).toHaveLength(1);
		expect(observed[0]?.readiness).toEqual({ lazyLoad: "done", images: "done", fonts: "done", networkIdle: "timed out" });
		expect(observed[0]?.resources.pending).toEqual([`${late}/hang`]);
	});
});

describe("explicit waits", () => {
	it("waitForFunction waits for an expression to become truthy", async () => {
		const html = `<p>BEFORE</p><script>setTimeout(() => { document.body.insertAdjacentHTML("beforeend", "<p>DRAWN</p>"); window.drawn = true; }, 1500);</script>`;
		const { facts } = await renderPdf({ html, page: { ready: false, waitForFunction: "window.drawn === true // set by the chart" } });
		expect(facts.text).toContain("DRAWN");
	});

	it("waitForFunction works on a page whose Content-Security-Policy forbids eval", async () => {
		// The page's own script found eval refused (the policy is in force), then drew its chart.
		const waitForFunction = "window.evalRefused === true && window.chartDone === true";
		const { facts } = await renderPdf({ url: `${late}/csp`, page: { ready: false, waitForFunction } });
		expect(facts.text).toContain("CHART-DONE");
	});

	it("waitForWindowStatus waits until window.status is the value", async () => {
		const html = `<p>BEFORE</p><script>setTimeout(() => { document.body.insertAdjacentHTML("beforeend", "<p>STATUS-SET</p>"); window.status = "ready"; }, 1500);</script>`;
		const { facts } = await renderPdf({ html, page: { ready: false, waitForWindowStatus: "ready" } });
		expect(facts.text).toContain("STATUS-SET");
	});

	it("a wait that is never met fails RENDER_TIMEOUT naming it; the observations name the unfinished wait", async () => {
		const job = await renderToEnd({ html: "<p>never</p>", page: { waitForFunction: "window.never === true", timeoutMs: 1000 } });
		expect([job.status, job.error?.code]).toEqual(["failed", "RENDER_TIMEOUT"]);
		expect(job.error?.message).toBe("waitForFunction did not become truthy within timeoutMs (1000 ms)");
		const { result, observed } = await printDirect({ html: "<p>never</p>" }, { waitForWindowStatus: "done", timeoutMs: 3000 }, true);
		expect("error" in result && String(result.error)).toContain('waitForWindowStatus did not see window.status become "done" within timeoutMs (3000 ms)');
		expect(observed.map((o) => o.unfinishedWait)).toEqual(["waitForWindowStatus"]);
	});
});

describe("page.failOn", () => {
	const CONSOLE = `<p>x</p><script>console.warn("just a warning"); console.error("boom-console", 42);</script>`;
	const THROWS = `<p>x</p><script>throw new TypeError("boom-page");</script>`;
	const MISSING = `<p>x</p><img src="${late}/missing.png?token=secret-token">`;

	it.each([
		["consoleError", CONSOLE, "page.failOn: the page logged a console error: boom-console 42"],
		["pageError", THROWS, "page.failOn: the page threw an uncaught error: TypeError: boom-page"],
		["resourceError", MISSING, `page.failOn: a subresource failed: ${late}/missing.png (HTTP 404)`],
	])("%s fails the job with PAGE_CHECK_FAILED naming the first offender, at once", async (check, html, message) => {
		const job = await renderToEnd({ html, page: { failOn: { [check]: true } } });
		expect([job.status, job.error?.code, job.error?.message, job.attempts]).toEqual(["failed", "PAGE_CHECK_FAILED", message, 1]);
		// Without the check the same page prints.
		expect((await renderToEnd({ html })).status).toBe("succeeded");
	});

	it("the first offender wins, and a synchronous render answers 422", async () => {
		const html = `<p>x</p><script>console.error("first"); throw new Error("second");</script>`;
		const error = await expectError(
			await postRender({ html, async: false, page: { failOn: { consoleError: true, pageError: true } } }),
			422,
			"PAGE_CHECK_FAILED",
		);
		expect(error.message).toBe("page.failOn: the page logged a console error: first");
	});
});

describe("observations", () => {
	it("a page's requests, failures, console and errors reach PrintInput.observe once, with its phases", async () => {
		const html = `${`<p>x</p><img src="${late}/missing.png">`}<img src="${late}/late/0/ok.png"><script>console.warn("careful"); console.error("bad"); console.log("ignored"); undefinedFn();</script>`;
		const { result, observed } = await printDirect({ html }, {}, true);
		expect("bytes" in result).toBe(true);
		expect(observed).toHaveLength(1);
		const o = observed[0]!;
		expect(o.resources).toEqual({ requested: 2, failed: [{ url: `${late}/missing.png`, status: 404 }], blocked: [], pending: [] });
		expect(o.console).toEqual([
			{ level: "warning", text: "careful" },
			{ level: "error", text: "bad" },
		]);
		expect(o.pageErrors).toEqual(["ReferenceError: undefinedFn is not defined"]);
		expect(o.unfinishedWait).toBeNull();
		expect(o.phases.navigateMs).toBeGreaterThan(0);
		expect(o.phases.printMs).toBeGreaterThan(0);
	});
});
