// Vite's `?raw` imports: a file's text, used for the shared benchmark fixtures.
declare module "*?raw" {
	const content: string;
	export default content;
}
