// One render end to end, as a client sees it: POST /v1/renders → the signed webhook arrives at the
// receiver → the PDF is downloaded from the event's link. The benchmarks time this.

/**
 * @param {{ origin: string, key: string, receiver: import("./receiver.mjs").Receiver | any, timeoutMs?: number }} target
 * @param {Record<string, unknown>} body the render request, without `webhook` (the receiver's is added)
 */
export async function endToEndJob({ origin, key, receiver, timeoutMs = 180_000 }, body) {
	const res = await fetch(`${origin}/v1/renders`, {
		method: "POST",
		headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
		body: JSON.stringify({ ...body, webhook: { url: receiver.url } }),
	});
	if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
	const { id } = await res.json();
	const ok = await receiver.waitFor((r) => r.eventsFor(id).length > 0, { timeoutMs, intervalMs: 200 });
	if (!ok) throw new Error(`no webhook for ${id}`);
	const event = receiver.eventsFor(id)[0];
	if (event.status !== "succeeded") throw new Error(`${id} ended ${event.status}`);
	const pdf = new Uint8Array(await (await fetch(event.documentUrl)).arrayBuffer());
	if (new TextDecoder().decode(pdf.subarray(0, 5)) !== "%PDF-") throw new Error(`${id}: not a PDF`);
	return { id, bytes: pdf.byteLength };
}
