// Types for sse.js (not served: .assetsignore).
export interface SseFrame {
	id: string | null;
	event: string;
	data: string;
}
export function sseEvents(body: ReadableStream<Uint8Array>, onComment?: (comment: string) => void): AsyncGenerator<SseFrame, void, void>;
