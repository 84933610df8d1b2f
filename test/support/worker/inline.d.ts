// Worker side: runs inside workerd, imported by the tests.
// Vite's `?inline` imports: a file as a base64 data: URL, for binary fixtures (fonts) that `?raw` would garble.
declare module "*?inline" {
	const dataUrl: string;
	export default dataUrl;
}
