// Page script (run by lockdown.ts in every realm before the page's own code): WebSocket,
// WebSocketStream, WebTransport and RTCPeerConnection are replaced by stand-ins that behave like a
// connection the network refused. Request interception (CDP Fetch) never sees these protocols, so the
// real constructors must not be reachable; but deleting them made a page whose script opens a socket
// at start-up (a live dashboard, a dev-server client) stop with a ReferenceError and print half-done.
// With the stand-ins the script goes on, as it would on a network that refuses the connection:
// - WebSocket: the URL is checked like the real one (SyntaxError); readyState CONNECTING, then
//   CLOSED with an asynchronous `error` and `close` (1006, not clean); send() while CONNECTING throws.
// - WebSocketStream: `opened` and `closed` reject. WebTransport: `ready` and `closed` reject.
// - RTCPeerConnection: offers and descriptions are made locally, candidate gathering completes with
//   no candidate and the connection fails; no ICE, STUN or TURN traffic exists.
// None of them holds or hands out the real constructor (the global is overwritten, nothing keeps a
// reference), and none opens anything: they are plain script objects. Names absent from a realm
// (RTCPeerConnection in workers, WebTransport outside secure contexts) stay absent.

/** Captured before the page runs, so a page that patches these later does not change the stand-ins. */
const SHARED = `
	const G = globalThis;
	const NativeURL = G.URL, Dom = G.DOMException, NativeEvent = G.Event, Close = G.CloseEvent;
	const listen = G.EventTarget.prototype.addEventListener, dispatch = G.EventTarget.prototype.dispatchEvent;
	const timer = G.setTimeout.bind(G), then = G.Promise.prototype.then, encoder = new G.TextEncoder();
	const later = (work) => timer(work, 0);
	const fire = (target, event) => dispatch.call(target, event);
	const event = (type) => new NativeEvent(type);
	const baseUrl = () => (G.document ? G.document.baseURI : G.location.href);
	const quiet = (promise) => (then.call(promise, undefined, () => undefined), promise);
	const rejectedLater = (error) => quiet(new G.Promise((_, reject) => later(() => reject(error()))));
	const constant = (target, name, value) => Object.defineProperty(target, name, { value, enumerable: true });
	const tag = (Class, name) => Object.defineProperty(Class.prototype, Symbol.toStringTag, { value: name, configurable: true });
	const needs = (count, given, what) => {
		if (given < count) throw new TypeError("Failed to " + what + ": " + count + " argument required, but only " + given + " present.");
	};
	const handlers = new WeakMap();
	// on<type> properties on the prototype, called through a listener added at construction.
	const handlerProperties = (Class, types) => {
		for (const type of types) {
			Object.defineProperty(Class.prototype, "on" + type, {
				get() { return handlers.get(this)?.[type] ?? null; },
				set(value) {
					const own = handlers.get(this) ?? {};
					own[type] = typeof value === "function" ? value : null;
					handlers.set(this, own);
				},
				enumerable: true,
				configurable: true,
			});
		}
	};
	const callHandlers = (target, types) => {
		for (const type of types) listen.call(target, type, (e) => { const h = handlers.get(target)?.[type]; if (h) h.call(target, e); });
	};
	// The URL rules of the real constructors: parsed against the base URL, schemes mapped, no fragment.
	const socketUrl = (kind, url, schemes) => {
		const what = "Failed to construct '" + kind + "': ";
		let parsed;
		try { parsed = new NativeURL(String(url), baseUrl()); } catch { throw new Dom(what + "The URL '" + url + "' is invalid.", "SyntaxError"); }
		const scheme = schemes[parsed.protocol];
		if (!scheme) throw new Dom(what + "The URL's scheme must be one of " + Object.keys(schemes).join(", ") + ". '" + parsed.protocol + "' is not allowed.", "SyntaxError");
		if (parsed.hash || String(url).includes("#")) throw new Dom(what + "The URL contains a fragment identifier ('" + parsed.hash.slice(1) + "'). Fragment identifiers are not allowed in " + kind + " URLs.", "SyntaxError");
		parsed.protocol = scheme;
		return parsed.href;
	};
	const TOKEN = /^[!#$%&'*+\\-.^_\`|~0-9A-Za-z]+$/;
	const checkProtocols = (kind, protocols) => {
		const list = protocols === undefined ? [] : typeof protocols === "object" && protocols !== null ? Array.from(protocols, String) : [String(protocols)];
		list.forEach((p, i) => {
			if (!TOKEN.test(p) || list.indexOf(p) !== i) throw new Dom("Failed to construct '" + kind + "': The subprotocol '" + p + "' is invalid or duplicated.", "SyntaxError");
		});
	};
	const WS_SCHEMES = { "ws:": "ws:", "wss:": "wss:", "http:": "ws:", "https:": "wss:" };
	const refusedError = (url) => new Dom("WebSocket connection to '" + url + "' failed", "NetworkError");
	const byteLength = (data) => typeof data === "string" ? encoder.encode(data).length : data?.byteLength ?? data?.size ?? encoder.encode(String(data)).length;
`;

const WEB_SOCKET = `
	const WS_EVENTS = ["open", "message", "error", "close"];
	class WebSocket extends G.EventTarget {
		#url; #state = 0; #buffered = 0; #binaryType = "blob";
		constructor(url, protocols) {
			super();
			needs(1, arguments.length, "construct 'WebSocket'");
			this.#url = socketUrl("WebSocket", url, WS_SCHEMES);
			checkProtocols("WebSocket", protocols);
			callHandlers(this, WS_EVENTS);
			later(() => this.#refused());
		}
		#refused() {
			this.#state = 3;
			fire(this, event("error"));
			fire(this, Close ? new Close("close", { code: 1006, reason: "", wasClean: false }) : event("close"));
		}
		get url() { return this.#url; }
		get readyState() { return this.#state; }
		get bufferedAmount() { return this.#buffered; }
		get extensions() { return ""; }
		get protocol() { return ""; }
		get binaryType() { return this.#binaryType; }
		set binaryType(value) { if (value === "blob" || value === "arraybuffer") this.#binaryType = value; }
		send(data) {
			needs(1, arguments.length, "execute 'send' on 'WebSocket'");
			if (this.#state === 0) throw new Dom("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.", "InvalidStateError");
			this.#buffered += byteLength(data);
		}
		close(code, reason) {
			if (code !== undefined) code = Number(code);
			if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
				throw new Dom("Failed to execute 'close' on 'WebSocket': The close code must be either 1000, or between 3000 and 4999. " + code + " is neither.", "InvalidAccessError");
			}
			if (reason !== undefined && encoder.encode(String(reason)).length > 123) {
				throw new Dom("Failed to execute 'close' on 'WebSocket': The close reason must not be greater than 123 UTF-8 bytes.", "SyntaxError");
			}
			if (this.#state === 0) this.#state = 2;
		}
	}
	handlerProperties(WebSocket, WS_EVENTS);
	tag(WebSocket, "WebSocket");
	["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach((name, value) => { constant(WebSocket, name, value); constant(WebSocket.prototype, name, value); });
`;

const WEB_SOCKET_STREAM = `
	class WebSocketStream {
		#url; #opened; #closed;
		constructor(url, options) {
			needs(1, arguments.length, "construct 'WebSocketStream'");
			this.#url = socketUrl("WebSocketStream", url, WS_SCHEMES);
			checkProtocols("WebSocketStream", options?.protocols);
			this.#opened = rejectedLater(() => refusedError(this.#url));
			this.#closed = rejectedLater(() => refusedError(this.#url));
		}
		get url() { return this.#url; }
		get opened() { return this.#opened; }
		get closed() { return this.#closed; }
		close() {}
	}
	tag(WebSocketStream, "WebSocketStream");
`;

const WEB_TRANSPORT = `
	// WebTransportError's constructor differs between versions (message and options, or one init dictionary).
	const transportError = () => {
		const message = "Opening handshake failed.";
		for (const args of [[message, { source: "session" }], [{ message }]]) {
			try { return new G.WebTransportError(...args); } catch {}
		}
		return new Dom(message, "NetworkError");
	};
	const erroredReadable = () => new G.ReadableStream({ start(c) { c.error(transportError()); } });
	class WebTransport {
		#ready; #closed; #datagrams; #incoming;
		constructor(url) {
			needs(1, arguments.length, "construct 'WebTransport'");
			socketUrl("WebTransport", url, { "https:": "https:" });
			this.#ready = rejectedLater(transportError);
			this.#closed = rejectedLater(transportError);
			this.#datagrams = { readable: erroredReadable(), writable: new G.WritableStream({ start(c) { c.error(transportError()); } }), maxDatagramSize: 0 };
			this.#incoming = [erroredReadable(), erroredReadable()];
		}
		get ready() { return this.#ready; }
		get closed() { return this.#closed; }
		get draining() { return new G.Promise(() => undefined); }
		get datagrams() { return this.#datagrams; }
		get incomingBidirectionalStreams() { return this.#incoming[0]; }
		get incomingUnidirectionalStreams() { return this.#incoming[1]; }
		createBidirectionalStream() { return G.Promise.reject(new Dom("No connection.", "InvalidStateError")); }
		createUnidirectionalStream() { return G.Promise.reject(new Dom("No connection.", "InvalidStateError")); }
		close() {}
	}
	tag(WebTransport, "WebTransport");
`;

/** Offers and answers are made up locally (a session with no media and no candidate); nothing is gathered or sent. */
const PEER_CONNECTION = `
	const PC_EVENTS = ["negotiationneeded", "icecandidate", "icecandidateerror", "signalingstatechange", "iceconnectionstatechange", "icegatheringstatechange", "connectionstatechange", "track", "datachannel"];
	const DC_EVENTS = ["open", "message", "bufferedamountlow", "error", "closing", "close"];
	const CLOSE = Symbol("close");
	const sdp = () => "v=0\\r\\no=- " + Math.floor(Math.random() * 1e15) + " 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n";
	const invalidState = (what) => G.Promise.reject(new Dom("Failed to execute '" + what + "' on 'RTCPeerConnection': The RTCPeerConnection's signalingState is 'closed'.", "InvalidStateError"));
	class DataChannel extends G.EventTarget {
		#label; #state = "connecting"; #init;
		constructor(label, init) { super(); this.#label = String(label); this.#init = init ?? {}; callHandlers(this, DC_EVENTS); }
		get label() { return this.#label; }
		get readyState() { return this.#state; }
		get ordered() { return this.#init.ordered ?? true; }
		get protocol() { return this.#init.protocol ?? ""; }
		get negotiated() { return this.#init.negotiated ?? false; }
		get id() { return this.#init.id ?? null; }
		get maxRetransmits() { return this.#init.maxRetransmits ?? null; }
		get maxPacketLifeTime() { return this.#init.maxPacketLifeTime ?? null; }
		get bufferedAmount() { return 0; }
		bufferedAmountLowThreshold = 0;
		binaryType = "arraybuffer";
		send() { throw new Dom("Failed to execute 'send' on 'RTCDataChannel': RTCDataChannel.readyState is not 'open'", "InvalidStateError"); }
		close() { this[CLOSE](); }
		[CLOSE]() { if (this.#state === "closed") return; this.#state = "closed"; later(() => fire(this, event("close"))); }
	}
	handlerProperties(DataChannel, DC_EVENTS);
	tag(DataChannel, "RTCDataChannel");
	class RTCPeerConnection extends G.EventTarget {
		#config; #local = null; #remote = null; #signaling = "stable"; #gathering = "new"; #ice = "new"; #connection = "new"; #channels = []; #senders = [];
		constructor(configuration) { super(); this.#config = { iceServers: [], iceTransportPolicy: "all", bundlePolicy: "balanced", rtcpMuxPolicy: "require", ...configuration }; callHandlers(this, PC_EVENTS); }
		get localDescription() { return this.#local; }
		get currentLocalDescription() { return this.#signaling === "stable" ? this.#local : null; }
		get pendingLocalDescription() { return this.#signaling === "stable" ? null : this.#local; }
		get remoteDescription() { return this.#remote; }
		get currentRemoteDescription() { return this.#signaling === "stable" ? this.#remote : null; }
		get pendingRemoteDescription() { return this.#signaling === "stable" ? null : this.#remote; }
		get signalingState() { return this.#signaling; }
		get iceGatheringState() { return this.#gathering; }
		get iceConnectionState() { return this.#ice; }
		get connectionState() { return this.#connection; }
		get canTrickleIceCandidates() { return this.#remote ? true : null; }
		get sctp() { return null; }
		#change(field, value, type) {
			if (this.#signaling === "closed") return;
			if (field === "gathering") this.#gathering = value;
			else if (field === "signaling") this.#signaling = value;
			else { this.#ice = value; this.#connection = value; fire(this, event("iceconnectionstatechange")); }
			fire(this, event(type));
		}
		createOffer() { return this.#signaling === "closed" ? invalidState("createOffer") : G.Promise.resolve({ type: "offer", sdp: sdp() }); }
		createAnswer() {
			if (this.#signaling !== "have-remote-offer") return G.Promise.reject(new Dom("Failed to execute 'createAnswer' on 'RTCPeerConnection': no remote offer.", "InvalidStateError"));
			return G.Promise.resolve({ type: "answer", sdp: sdp() });
		}
		setLocalDescription(description) {
			if (this.#signaling === "closed") return invalidState("setLocalDescription");
			const type = description?.type ?? (this.#signaling === "have-remote-offer" ? "answer" : "offer");
			this.#local = { type, sdp: description?.sdp || sdp(), toJSON() { return { type: this.type, sdp: this.sdp }; } };
			later(() => {
				this.#change("signaling", type === "offer" ? "have-local-offer" : "stable", "signalingstatechange");
				this.#gatherNothing();
			});
			return G.Promise.resolve();
		}
		setRemoteDescription(description) {
			if (this.#signaling === "closed") return invalidState("setRemoteDescription");
			this.#remote = { type: description?.type, sdp: description?.sdp ?? "", toJSON() { return { type: this.type, sdp: this.sdp }; } };
			later(() => this.#change("signaling", description?.type === "offer" ? "have-remote-offer" : "stable", "signalingstatechange"));
			return G.Promise.resolve();
		}
		// Gathering ends with no candidate (the end-of-candidates null), and the connection fails.
		#gatherNothing() {
			if (this.#gathering !== "new") return;
			this.#change("gathering", "gathering", "icegatheringstatechange");
			later(() => {
				if (this.#signaling === "closed") return;
				fire(this, Object.assign(event("icecandidate"), { candidate: null }));
				this.#change("gathering", "complete", "icegatheringstatechange");
				this.#change("connection", "failed", "connectionstatechange");
				for (const channel of this.#channels) channel[CLOSE]();
			});
		}
		addIceCandidate() { return this.#signaling === "closed" ? invalidState("addIceCandidate") : G.Promise.resolve(); }
		createDataChannel(label, init) {
			needs(1, arguments.length, "execute 'createDataChannel' on 'RTCPeerConnection'");
			const channel = new DataChannel(label, init);
			this.#channels.push(channel);
			return channel;
		}
		addTrack(track) {
			const sender = { track, dtmf: null, transport: null, replaceTrack: () => G.Promise.resolve(), getParameters: () => ({ encodings: [] }), setParameters: () => G.Promise.resolve(), getStats: () => G.Promise.resolve(new G.Map()) };
			this.#senders.push(sender);
			return sender;
		}
		addTransceiver(trackOrKind) {
			const sender = this.addTrack(typeof trackOrKind === "string" ? null : trackOrKind);
			return { mid: null, sender, receiver: { track: null }, direction: "sendrecv", currentDirection: null, stop() {}, setCodecPreferences() {} };
		}
		removeTrack() {}
		getSenders() { return [...this.#senders]; }
		getReceivers() { return []; }
		getTransceivers() { return []; }
		getStats() { return G.Promise.resolve(new G.Map()); }
		getConfiguration() { return { ...this.#config }; }
		setConfiguration(configuration) { this.#config = { ...this.#config, ...configuration }; }
		restartIce() {}
		close() {
			if (this.#signaling === "closed") return;
			this.#signaling = "closed"; this.#ice = "closed"; this.#connection = "closed";
			for (const channel of this.#channels) channel[CLOSE]();
		}
		static generateCertificate() { return G.Promise.reject(new Dom("Certificates are not available while rendering.", "NotSupportedError")); }
	}
	handlerProperties(RTCPeerConnection, PC_EVENTS);
	tag(RTCPeerConnection, "RTCPeerConnection");
`;

/** Replaces each name a realm has, keeping the real property's shape (writable, configurable, not enumerable). */
const INSTALL = `
	const install = (name, standIn) => {
		if (!(name in G)) return;
		Object.defineProperty(G, name, { value: standIn, writable: true, configurable: true, enumerable: false });
	};
	install("WebSocket", WebSocket);
	install("WebSocketStream", WebSocketStream);
	install("WebTransport", WebTransport);
	install("RTCPeerConnection", RTCPeerConnection);
	install("webkitRTCPeerConnection", RTCPeerConnection);
`;

/**
 * For every realm (windows and workers). If a stand-in cannot be installed the real constructor is
 * deleted instead, so a failure fails closed.
 */
export const REFUSED_SOCKETS = `(() => {
	const NAMES = ["WebSocket", "WebSocketStream", "WebTransport", "RTCPeerConnection", "webkitRTCPeerConnection"];
	try {
		${SHARED}
		${WEB_SOCKET}
		${WEB_SOCKET_STREAM}
		${WEB_TRANSPORT}
		${PEER_CONNECTION}
		${INSTALL}
	} catch {
		for (const name of NAMES) { try { delete globalThis[name]; } catch {} }
	}
})();`;
