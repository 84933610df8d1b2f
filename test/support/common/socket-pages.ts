// Common: imported on both sides (Node and workerd), so it imports neither node:* nor cloudflare:* modules.
// Pages whose script opens sockets at start-up, aimed at an egress listener's port, for the tests
// of the refused-socket stand-ins (lockdown.ts) under both address policies. Each writes what its
// sockets did into the document, and a last element (#settled) once every socket has failed, for
// `page.waitForSelector`.

/** A live dashboard: opens a WebSocket, then writes its content; the socket's events are listed as they come. */
export function dashboardPage(port: number): string {
	return `<!doctype html><h1 id="status">Connecting…</h1><ol id="events"></ol>
<script>
	const log = (line) => { const li = document.createElement("li"); li.textContent = line; document.getElementById("events").append(li); };
	const ws = new WebSocket("ws://127.0.0.1:${port}/live");
	log("constructed readyState=" + ws.readyState);
	try { ws.send("hello"); } catch (e) { log("send threw " + e.name); }
	ws.onerror = () => log("onerror readyState=" + ws.readyState);
	ws.addEventListener("error", () => log("error listener"));
	ws.onclose = (e) => log("onclose code=" + e.code + " wasClean=" + e.wasClean + " readyState=" + ws.readyState);
	ws.addEventListener("close", () => { const p = document.createElement("p"); p.id = "settled"; p.textContent = "SOCKET-SETTLED"; document.body.append(p); });
	document.getElementById("status").textContent = "DASHBOARD-CONTENT";
</script>`;
}

/** The dashboard's events, in the order the page must see them. */
export const DASHBOARD_EVENTS = [
	"constructed readyState=0",
	"send threw InvalidStateError",
	"onerror readyState=3",
	"error listener",
	"onclose code=1006 wasClean=false readyState=3",
];

/** WebSocketStream, WebTransport and RTCPeerConnection (TURN over TCP, relay only) at start-up, each outcome written down. */
export function otherSocketsPage(port: number): string {
	const rtc = JSON.stringify({ iceServers: [{ urls: `turn:127.0.0.1:${port}?transport=tcp`, username: "u", credential: "p" }], iceTransportPolicy: "relay" });
	return `<!doctype html><p>OTHER-SOCKETS</p>
<script>
	const outcomes = [];
	const done = (line) => {
		const p = document.createElement("p"); p.textContent = line; document.body.append(p);
		outcomes.push(line);
		if (outcomes.length === 3) { const s = document.createElement("p"); s.id = "settled"; s.textContent = "SOCKETS-SETTLED"; document.body.append(s); }
	};
	const settled = (name, promises) => Promise.allSettled(promises).then((r) => done(name + ": " + r.map((x) => x.status + (x.reason ? " " + x.reason.name : "")).join(", ")));
	try { const s = new WebSocketStream("ws://127.0.0.1:${port}/stream"); settled("WebSocketStream", [s.opened, s.closed]); } catch (e) { done("WebSocketStream threw " + e.name); }
	try { const t = new WebTransport("https://127.0.0.1:${port}/transport"); settled("WebTransport", [t.ready, t.closed]); } catch (e) { done("WebTransport threw " + e.name); }
	try {
		const pc = new RTCPeerConnection(${rtc});
		let candidates = 0;
		pc.onicecandidate = (e) => { if (e.candidate) candidates++; };
		pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === "complete") done("RTCPeerConnection: gathered " + candidates + " candidates, " + pc.signalingState); };
		pc.createDataChannel("d");
		pc.createOffer().then((offer) => pc.setLocalDescription(offer));
	} catch (e) { done("RTCPeerConnection threw " + e.name); }
</script>`;
}
