// The print stylesheet around converted Markdown: readable type, bordered tables, code that wraps
// instead of running off the page, and blocks that do not split across a page break where a reader
// would lose the thread (a table row, a short code block, a heading from its paragraph).
// Only system font families: a render fetches nothing the document did not ask for.
export const MARKDOWN_STYLESHEET = `
:root { color-scheme: light; }
body { margin: 0; font-family: -apple-system, "Segoe UI", "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif;
  font-size: 11pt; line-height: 1.5; color: #1f2328; overflow-wrap: break-word; }
h1, h2, h3, h4, h5, h6 { line-height: 1.25; margin: 1.4em 0 0.5em; break-after: avoid; page-break-after: avoid; }
h1 { font-size: 2em; border-bottom: 1px solid #d1d9e0; padding-bottom: 0.3em; }
h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: 0.3em; }
h3 { font-size: 1.25em; }
h4 { font-size: 1em; }
h5 { font-size: 0.875em; }
h6 { font-size: 0.85em; color: #59636e; }
body > :first-child { margin-top: 0; }
p, ul, ol, dl, table, pre, blockquote { margin: 0 0 1em; }
ul, ol { padding-left: 2em; }
li + li { margin-top: 0.25em; }
li > input[type="checkbox"] { margin: 0 0.4em 0 -1.4em; vertical-align: middle; }
li:has(> input[type="checkbox"]) { list-style: none; }
a { color: #0969da; text-decoration: underline; }
blockquote { padding: 0 1em; color: #59636e; border-left: 0.25em solid #d1d9e0; }
hr { height: 0.25em; padding: 0; margin: 1.5em 0; background: #d1d9e0; border: 0; }
img { max-width: 100%; height: auto; }
code, kbd, pre, samp { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 0.9em; }
code { padding: 0.15em 0.35em; background: #eff1f3; border-radius: 4px; }
pre { padding: 0.8em 1em; background: #f6f8fa; border: 1px solid #d1d9e0; border-radius: 6px;
  white-space: pre-wrap; overflow-wrap: anywhere; break-inside: avoid; page-break-inside: avoid;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
pre code { padding: 0; background: none; border-radius: 0; font-size: 1em; }
table { border-collapse: collapse; display: table; max-width: 100%; }
th, td { border: 1px solid #d1d9e0; padding: 0.35em 0.75em; vertical-align: top; }
th { font-weight: 600; background: #f6f8fa; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
del { color: #59636e; }
`;
