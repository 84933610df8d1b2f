// The playground: POST /v1/renders with the form's options, then the job's live status from
// GET /v1/renders/{id}/events. EventSource cannot send an Authorization header, and the key must
// not travel in a URL, so the event stream is read with fetch() and parsed here.
import { sseEvents } from "./sse.js";

const $ = (id) => document.getElementById(id);
const form = $("render-form");
const KEY_STORAGE = "edge-pdf.apiKey";

$("api-key").value = sessionStorage.getItem(KEY_STORAGE) ?? "";
for (const radio of form.elements.source) radio.addEventListener("change", showSource);
form.addEventListener("submit", (event) => {
	event.preventDefault();
	submit().catch((err) => showError(err.message));
});

function showSource() {
	const source = form.elements.source.value;
	$("url").hidden = source !== "url";
	$("url").required = source === "url";
	$("html").hidden = source !== "html";
	$("markdown").hidden = source !== "markdown";
}

/** Page numbers at the foot of every page, and a faint diagonal watermark under the content (PDF only). */
function pdfStamps() {
	const stamps = [];
	if ($("page-numbers").checked) stamps.push({ text: "Page {page} of {pages}", position: "bottom-center", fontSize: 9, color: "#555555" });
	const watermark = $("watermark").value.trim();
	if (watermark) stamps.push({ text: watermark, position: "center", fontSize: 72, rotate: 45, opacity: 0.12, layer: "under" });
	return stamps;
}

/** The request body from the form: the source, the main PDF options, async, an optional webhook and password. */
function requestBody() {
	const margin = $("margin").value.trim();
	const body = {
		pdf: {
			format: $("format").value,
			landscape: $("landscape").checked,
			printBackground: $("print-background").checked,
			...(margin ? { margin: { top: margin, right: margin, bottom: margin, left: margin } } : {}),
		},
		async: $("async").checked,
	};
	// Screenshots take the same page options; the PDF options then simply do not apply.
	const output = $("output").value;
	if (output !== "pdf") body.output = output;
	else {
		const stamps = pdfStamps();
		if (stamps.length) body.pdf.stamps = stamps;
	}
	// A password encrypts the PDF (a screenshot cannot be): sent once, never shown again by the API.
	const password = $("pdf-password").value;
	if (password && output === "pdf") body.pdf.encrypt = { userPassword: password };
	// A saved signing key (PUT /v1/signing-keys/{name}) signs the PDF; screenshots cannot be signed.
	const signKey = $("sign-key").value.trim();
	if (signKey && output === "pdf") body.pdf.sign = { key: signKey };
	// PDF/A finishes a PDF: a screenshot has nothing to make archival.
	const standard = $("standard").value;
	if (standard && output === "pdf") body.pdf.standard = standard;
	const source = form.elements.source.value;
	if (source === "url") body.url = $("url").value.trim();
	else body[source] = $(source).value;
	const webhookUrl = $("webhook-url").value.trim();
	if (webhookUrl) body.webhook = { url: webhookUrl };
	return body;
}

function authHeaders() {
	const key = $("api-key").value.trim();
	sessionStorage.setItem(KEY_STORAGE, key);
	return { authorization: `Bearer ${key}` };
}

async function submit() {
	reset();
	$("submit").disabled = true;
	try {
		const res = await fetch("/v1/renders", {
			method: "POST",
			headers: { ...authHeaders(), "content-type": "application/json" },
			body: JSON.stringify(requestBody()),
		});
		if (!res.ok) return showError(await errorText(res));
		if (res.headers.get("content-type")?.startsWith("application/pdf")) {
			// Synchronous render: the PDF itself; the job's history follows from its event stream.
			showPdf(URL.createObjectURL(await res.blob()), null);
			return await followEvents(res.headers.get("render-id"));
		}
		const job = await res.json();
		await followEvents(job.id);
	} finally {
		$("submit").disabled = false;
	}
}

async function errorText(res) {
	try {
		const { error } = await res.json();
		const details = (error.details ?? []).map((d) => `${d.path}: ${d.message}`).join("; ");
		return `${res.status} ${error.code}: ${error.message}${details ? ` (${details})` : ""}`;
	} catch {
		return `HTTP ${res.status}`;
	}
}

const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

/**
 * Reads the event stream to its end, reconnecting with Last-Event-ID if the connection drops or the
 * stream reached its time limit (15 minutes) before the job ended.
 */
async function followEvents(id) {
	$("job-id").textContent = `Render ${id}`;
	$("job-id").classList.remove("muted");
	let lastEventId = null;
	let ended = false;
	for (let failures = 0; !ended; ) {
		const headers = authHeaders();
		if (lastEventId !== null) headers["last-event-id"] = lastEventId;
		try {
			const res = await fetch(`/v1/renders/${encodeURIComponent(id)}/events`, { headers });
			if (!res.ok) return showError(await errorText(res));
			for await (const event of sseEvents(res.body)) {
				lastEventId = event.id;
				const job = JSON.parse(event.data);
				ended = TERMINAL.has(job.status);
				onEvent(event.event, job);
			}
		} catch (err) {
			if (++failures === 5) throw err;
			await new Promise((resolve) => setTimeout(resolve, 1000 * failures));
		}
	}
}

function onEvent(kind, job) {
	if (kind === "status") {
		const item = document.createElement("li");
		item.className = `status-${job.status}`;
		item.dataset.status = job.status;
		const attempt = job.status === "rendering" && job.attempts > 1 ? ` (attempt ${job.attempts})` : "";
		item.textContent = `${job.status}${attempt} · ${new Date().toLocaleTimeString()}`;
		$("timeline").append(item);
	}
	if (job.webhook) showAttempts(job.webhook);
	if (job.status === "succeeded" && job.document) showPdf(job.document.url, job.document);
	if (job.error) showError(`${job.error.code}: ${job.error.message}`);
	if (job.report) showReport(job.report);
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One line per part of the render report; everything the page wrote goes in as text, never as markup. */
function reportLines(r) {
	const res = r.resources;
	const a = r.accessibility;
	const urls = [
		...res.failed.map((f) => `${f.url} (${f.status ?? f.error})`),
		...res.blocked.map((b) => `${b.url} (${b.reason})`),
		...res.pending.map((u) => `${u} (pending)`),
	];
	return [
		[
			"Readiness",
			Object.entries(r.readiness)
				.filter(([step]) => step !== "unfinishedWait")
				.map(([step, outcome]) => `${step} ${outcome}`)
				.join(" · ") + (r.readiness.unfinishedWait ? ` · waiting for ${r.readiness.unfinishedWait}` : ""),
		],
		[
			"Resources",
			`${res.requested} requested · ${res.failed.length} failed · ${res.blocked.length} blocked · ${res.pending.length} pending${urls.length ? `: ${urls.join(", ")}` : ""}`,
		],
		["Console", r.console.length ? r.console.map((c) => `${c.level}: ${c.text}`).join(" | ") : "nothing"],
		["Page errors", r.pageErrors.length ? r.pageErrors.join(" | ") : "none"],
		["Fonts", r.fonts.length ? r.fonts.map((f) => `${f.name}${f.embedded ? "" : " (not embedded)"}`).join(", ") : "none"],
		[
			"Accessibility",
			a
				? `${a.tagged ? "tagged" : "not tagged"} · lang ${a.lang ?? "none"} · title ${a.title ?? "none"} · ${plural(a.headings, "heading")} · ${plural(a.figures, "figure")}${a.issues.length ? ` · ${a.issues.join("; ")}` : ""}`
				: "no PDF",
		],
		["Phases", `navigate ${r.phases.navigateMs} ms · ready ${r.phases.readyMs} ms · print ${r.phases.printMs} ms · finish ${r.phases.finishMs} ms`],
		...(r.truncated ? [["Note", "some lists were cut to the report's caps"]] : []),
	];
}

function showReport(report) {
	const items = reportLines(report).flatMap(([term, text]) => {
		const dt = document.createElement("dt");
		dt.textContent = term;
		const dd = document.createElement("dd");
		dd.textContent = text;
		return [dt, dd];
	});
	$("report-facts").replaceChildren(...items);
	$("report").hidden = false;
}

function showPdf(href, doc) {
	if (!doc && $("pdf-link").getAttribute("href") !== "#") return;
	$("pdf-link").href = href;
	$("pdf-facts").textContent = doc ? `${doc.filename} · ${doc.pages} page${doc.pages === 1 ? "" : "s"} · ${(doc.sizeBytes / 1024).toFixed(1)} KiB` : "";
	$("document").hidden = false;
}

function showAttempts(webhook) {
	const rows = webhook.attempts.map((a) => {
		const row = document.createElement("tr");
		for (const text of [new Date(a.at).toLocaleTimeString(), a.httpStatus ?? "—", `${a.durationMs} ms`, a.error ?? ""]) {
			const cell = document.createElement("td");
			cell.textContent = String(text);
			row.append(cell);
		}
		return row;
	});
	const status = document.createElement("tr");
	status.className = "muted";
	status.innerHTML = "<td colspan='4'></td>";
	status.firstChild.textContent = `${webhook.url} — ${webhook.status}${webhook.nextAttemptAt ? `, next attempt ${new Date(webhook.nextAttemptAt).toLocaleTimeString()}` : ""}`;
	$("webhook-attempts").tBodies[0].replaceChildren(...rows, status);
}

function showError(message) {
	$("error").textContent = message;
	$("error").hidden = false;
}

function reset() {
	$("timeline").replaceChildren();
	$("error").hidden = true;
	$("document").hidden = true;
	$("report").hidden = true;
	$("pdf-link").setAttribute("href", "#");
	$("job-id").textContent = "Submitting…";
	$("webhook-attempts").tBodies[0].innerHTML = "<tr class='muted'><td colspan='4'>None</td></tr>";
}
