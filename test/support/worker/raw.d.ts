// Worker side (types only): for the tests that run inside workerd.
// Vite's `?raw` imports: a file's text, used for the benchmark fixtures in test/fixtures.
declare module "*?raw" {
	const content: string;
	export default content;
}
