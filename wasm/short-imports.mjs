// Renames the .wasm's imports from the JS glue (`__wbg_fetch_21015a0a4570ab44`, …) to short names (`a`, `b`,
// …), and their module `./cis2_browser_bg.js` to `m`, in both the .wasm and the glue: wasm-bindgen's hashed
// names are incompressible and shipped twice (a size decision: 2.2 KB gzip). Exports keep their names
// (`InitOutput` in the .d.ts lists them). Hand-written because no tool does this: wasm-bindgen has no option
// for it, and binaryen's `--minify-imports` renames only `env` imports (its `-and-exports` variants rename the
// exports too and leave the glue to the caller). Fails, changing nothing, unless the import section parses to
// its end and each renamed name occurs exactly once in the glue, as the key of its import function.
//
// Usage: node short-imports.mjs pkg/cis2_browser_bg.wasm pkg/cis2_browser.js
import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, jsPath] = process.argv.slice(2);
const wasm = readFileSync(wasmPath);
let js = readFileSync(jsPath, "utf8");
const MODULE = "./cis2_browser_bg.js";
const SHORT_MODULE = "m";

let pos = 0;
function leb() {
  let result = 0, shift = 0, byte;
  do {
    byte = wasm[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return result;
}
function encodeLeb(n) {
  const out = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}
function name() {
  const len = leb();
  const s = wasm.toString("utf8", pos, pos + len);
  pos += len;
  return s;
}
function limits() {
  const flags = wasm[pos++];
  leb();
  if (flags & 1) leb();
}
function shortName(i) {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let s = "";
  do {
    s = letters[i % letters.length] + s;
    i = Math.floor(i / letters.length) - 1;
  } while (i >= 0);
  return s;
}
function fail(msg) {
  console.error(`short-imports: ${msg}`);
  process.exit(1);
}

if (wasm.readUInt32LE(0) !== 0x6d736100) fail("not a wasm module");
pos = 8;
let done = false;
const out = [wasm.subarray(0, 8)];
while (pos < wasm.length) {
  const start = pos;
  const id = wasm[pos++];
  const size = leb();
  const end = pos + size;
  if (id !== 2 || done) {
    out.push(wasm.subarray(start, end));
    pos = end;
    continue;
  }
  done = true;
  const count = leb();
  const entries = [encodeLeb(count)];
  let n = 0;
  for (let i = 0; i < count; i++) {
    const module = name();
    let field = name();
    const descStart = pos;
    const kind = wasm[pos++];
    if (kind === 0) leb();
    else if (kind === 1) { pos++; limits(); }
    else if (kind === 2) limits();
    else if (kind === 3) pos += 2;
    else fail(`import kind ${kind} not handled`);
    if (module === MODULE) {
      const short = shortName(n++);
      const escaped = field.replace(/\$/g, "\\$");
      const re = new RegExp(`(?<![\\w$])${escaped}(?![\\w$])`, "g");
      const hits = js.match(re)?.length ?? 0;
      if (hits !== 1 || !new RegExp(`(?<![\\w$])${escaped}["']?\\s*:`).test(js)) {
        fail(`${field} occurs ${hits} times in ${jsPath}, expected once as a key`);
      }
      js = js.replace(re, short);
      field = short;
    }
    const m = Buffer.from(module === MODULE ? SHORT_MODULE : module), f = Buffer.from(field);
    entries.push(encodeLeb(m.length), m, encodeLeb(f.length), f, wasm.subarray(descStart, pos));
  }
  if (pos !== end) fail("import section not parsed to its end");
  const key = JSON.stringify(MODULE);
  if (js.split(key).length !== 2) fail(`${key} does not occur exactly once in ${jsPath}`);
  js = js.replace(key, SHORT_MODULE);
  const body = Buffer.concat(entries);
  out.push(Buffer.from([2]), encodeLeb(body.length), body);
}
writeFileSync(wasmPath, Buffer.concat(out));
writeFileSync(jsPath, js);
