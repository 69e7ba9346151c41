// Parses every ```mermaid block of the Markdown files named on the command line with
// Mermaid's own parser (installed by scripts/install-mermaid.sh into $CORS_DOCTOR_MERMAID).
// Prints one FAIL line per diagram it rejects and a last line `parsed N diagrams, M failed`;
// exits 1 when any failed.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const dir = process.env.CORS_DOCTOR_MERMAID;
if (!dir) {
  console.error('set CORS_DOCTOR_MERMAID (scripts/install-mermaid.sh prints it)');
  process.exit(2);
}
const require = createRequire(path.join(dir, 'package.json'));
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
globalThis.Element = dom.window.Element;
const core = path.join(dir, 'node_modules', 'mermaid', 'dist', 'mermaid.core.mjs');
const mermaid = (await import(pathToFileURL(core).href)).default;
mermaid.initialize({ startOnLoad: false });
let n = 0;
let bad = 0;
for (const f of process.argv.slice(2)) {
  const text = fs.readFileSync(f, 'utf8');
  for (const block of text.split('```mermaid\n').slice(1).map((b) => b.split('```')[0])) {
    n++;
    try {
      await mermaid.parse(block);
    } catch (e) {
      bad++;
      console.log(`FAIL ${f}: ${String(e).split('\n').slice(0, 4).join(' ')}\n${block}`);
    }
  }
}
console.log(`parsed ${n} diagrams, ${bad} failed`);
process.exit(bad > 0 ? 1 : 0);
