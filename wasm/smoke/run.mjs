// Loads each smoke page in headless Debian Chromium (playwright-core, launched as the e2e tests do) and waits
// for the #out line DONE that checks.js writes last. A page fails on a FAIL line, on a console error, an
// uncaught exception or a failed request, or when DONE does not come within the timeout.
// Usage: node run.mjs <name>=<dir> ...   (each <dir> is served on an ephemeral 127.0.0.1 port)
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { launch } from '../../e2e/lib/browser.mjs';

const TIMEOUT_MS = 60_000;
// checks.js runs discoverBridge({ ports: [1, 2] }) against the default host: those probes are meant to fail
// (counted, not judged).
const PROBES = new Set(['http://localhost:1', 'http://localhost:2']);
const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
};

/** Serves `dir` on 127.0.0.1 (ephemeral port); resolves to the listening server. */
function serve(dir) {
  const server = http.createServer((req, res) => {
    const file = path.join(dir, path.normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' }).end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const isProbe = (url) => {
  try {
    return PROBES.has(new URL(url).origin);
  } catch {
    return false;
  }
};

/** Loads one page; returns the problems seen (empty when every check passed). */
async function check(browser, name, dir) {
  const server = await serve(dir);
  const context = await browser.newContext();
  const problems = [];
  let probeErrors = 0;
  let failFast;
  const failed = new Promise((resolve) => (failFast = resolve));
  const problem = (what) => {
    problems.push(what);
    failFast();
  };
  try {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (isProbe(m.location().url)) probeErrors++;
      else problem(`console error: ${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`);
    });
    page.on('pageerror', (e) => problem(`uncaught exception: ${e.stack || e}`));
    page.on('requestfailed', (r) => {
      if (isProbe(r.url())) probeErrors++;
      else problem(`request failed: ${r.url()} (${r.failure()?.errorText})`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !isProbe(r.url())) problem(`HTTP ${r.status()}: ${r.url()}`);
    });

    const url = `http://127.0.0.1:${server.address().port}/index.html`;
    const deadline = Date.now() + TIMEOUT_MS;
    const done = (async () => {
      await page.goto(url, { waitUntil: 'commit', timeout: TIMEOUT_MS });
      await page.waitForFunction(() => /^DONE$/m.test(document.getElementById('out')?.textContent ?? ''), null, {
        timeout: Math.max(1, deadline - Date.now()),
        polling: 100,
      });
    })();
    const finished = await Promise.race([done.then(() => true), failed.then(() => false)]).catch((e) => {
      problem(`DONE did not appear within ${TIMEOUT_MS / 1000}s (${e.message.split('\n')[0]})`);
      return false;
    });
    // After an early error, give the checks a moment to report before reading #out.
    if (!finished) await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]).catch(() => {});
    const out = await page.locator('#out').textContent({ timeout: 2000 }).catch(() => null);
    const lines = (out ?? '').split('\n').filter(Boolean);
    for (const line of lines) console.log(`${name}: ${line}`);
    console.log(`${name}: (${probeErrors} expected bridge-probe request/console errors ignored)`);
    const bad = lines.filter((l) => !['DONE', 'pending'].includes(l) && !l.startsWith('pass '));
    problems.push(...bad.map((l) => `check: ${l}`));
    if (finished && !lines.some((l) => l.startsWith('pass '))) problems.push('no check passed');
  } finally {
    await context.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  return problems;
}

const pages = process.argv.slice(2).map((a) => a.split(/=(.*)/s).slice(0, 2));
const browser = await launch();
let ok = true;
try {
  for (const [name, dir] of pages) {
    const started = Date.now();
    const problems = await check(browser, name, dir);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if (problems.length) {
      ok = false;
      console.error(`smoke (${name}): FAILED after ${secs}s:`);
      for (const p of problems) console.error(`  ${p}`);
    } else {
      console.log(`smoke (${name}): ok in ${secs}s`);
    }
  }
} finally {
  await browser.close();
}
process.exitCode = ok ? 0 : 1;
