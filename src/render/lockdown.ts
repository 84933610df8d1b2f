// Scripts run in every realm of a rendered page before its own code: they switch off the ways out
// that request interception (CDP Fetch) cannot see. A PDF needs none of them.
// - WebSocket, WebSocketStream, WebTransport: not HTTP requests, so never paused by Fetch.
// - RTCPeerConnection: ICE/TURN connects to any address the page names (TURN over TCP included).
//   These four are replaced by stand-ins that fail like a refused connection (refused-sockets.ts),
//   so a page that opens one at start-up goes on running instead of stopping on a ReferenceError.
// - window.open: popups are closed anyway (see egress.ts); returning null also denies the opener a
//   same-origin about:blank window whose constructors were never removed.
// - service worker registration: a service worker starts outside the page's interception.
// A realm cannot get a real constructor back from another realm: every frame (about:blank ones
// included, when script first touches them) and every worker runs these scripts first.
import { REFUSED_SOCKETS } from "./refused-sockets";

/**
 * Links and forms aimed at a new window (target=_blank, a name no frame has, <base target>): their
 * navigation starts in the new tab before any CDP client can hold it (measured: puppeteer's
 * tab-level Ready comes after the request has left), so the window is never opened: clicks are
 * cancelled, form.submit() does nothing. Names of this document's iframes still work.
 */
const NO_NEW_WINDOWS = `
	const opensWindow = (el, override) => {
		const name = (override || el.getAttribute("target") || document.querySelector("base[target]")?.getAttribute("target") || "").trim();
		if (name === "" || /^_(self|parent|top)$/i.test(name)) return false;
		return /^_blank$/i.test(name) || !document.querySelector("iframe[name='" + CSS.escape(name) + "'],frame[name='" + CSS.escape(name) + "']");
	};
	// Listeners alone do not hold: document.open() (puppeteer's setContent) erases the window's
	// listeners, so the ways to activate a link or submit a form from script are covered too.
	const blocked = (el) => {
		const a = el?.closest?.("a[href], area[href]");
		if (a) return opensWindow(a);
		return Boolean(el?.form && /^(submit|image)$/i.test(el.type ?? "") && opensWindow(el.form, el.getAttribute("formtarget")));
	};
	const replace = (proto, name, wrap) => Object.defineProperty(proto, name, { value: wrap(proto[name]), configurable: false, writable: false });
	replace(HTMLElement.prototype, "click", (click) => function () { if (!blocked(this)) return click.call(this); });
	replace(EventTarget.prototype, "dispatchEvent", (dispatch) => function (event) { return event?.type === "click" && blocked(this) ? false : dispatch.call(this, event); });
	replace(HTMLFormElement.prototype, "submit", (submit) => function () { if (!opensWindow(this)) return submit.call(this); });
	replace(HTMLFormElement.prototype, "requestSubmit", (requestSubmit) => function (submitter) { if (!opensWindow(this, submitter?.getAttribute?.("formtarget"))) return requestSubmit.call(this, submitter); });
	addEventListener("click", (e) => { if (blocked(e.composedPath()[0])) e.preventDefault(); }, true);
	addEventListener("submit", (e) => { if (opensWindow(e.target, e.submitter?.getAttribute("formtarget"))) e.preventDefault(); }, true);
`;

/**
 * A print job has no one to answer a dialog and no printer dialog to show: these become no-ops
 * instead of blocking the page until its deadline. Writable, so a page that assigns its own
 * still works; a dialog that slips past is dismissed by print.ts's dialog handler.
 */
const NO_BLOCKING_DIALOGS = `
	globalThis.print = () => undefined;
	globalThis.alert = () => undefined;
	globalThis.confirm = () => false;
	globalThis.prompt = () => null;
`;

/** For windows (frames, popups' documents): also no popups, no service workers, no blocking dialogs. */
export const FRAME_LOCKDOWN = `(() => {
	${REFUSED_SOCKETS}
	try { ${NO_BLOCKING_DIALOGS} } catch {}
	try { ${NO_NEW_WINDOWS} } catch {}
	try { Object.defineProperty(globalThis, "open", { value: () => null, configurable: false, writable: false }); } catch {}
	try {
		const denied = () => Promise.reject(new DOMException("service workers are off while rendering", "SecurityError"));
		Object.defineProperty(ServiceWorkerContainer.prototype, "register", { value: denied, configurable: false, writable: false });
	} catch {}
})();`;

/** For dedicated and shared workers, evaluated while they wait to start. */
export const WORKER_LOCKDOWN = REFUSED_SOCKETS;
