// The demo relying party (examples/demo-rp) for the browser tests: its binary on a free port against a mock
// started by lib/mock.mjs, the cis2-browser package it serves from wasm/pkg, and a real redis-server for the
// shared-session test.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, freePort, waitFor } from './mock.mjs';

export const PKG_DIR = path.join(ROOT, 'wasm', 'pkg');
export const NHSUK_DIR = path.join(ROOT, 'mock-idp', 'assets', 'node_modules', 'nhsuk-frontend', 'dist', 'nhsuk');
export const DEMO_CLIENT_ID = '200000000001.apps.supplier';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The cis2-browser package must be built: the live-session assertions need it. Builds it with the browser
 * package's own script when missing; throws (never skips) when that fails.
 */
export function ensurePkg() {
  if (fs.existsSync(path.join(PKG_DIR, 'cis2_browser.js'))) return;
  const build = path.join(ROOT, 'wasm', 'build.sh');
  if (!fs.existsSync(build)) {
    throw new Error(`wasm/pkg is not built and ${build} does not exist: the demo tests need the cis2-browser package`);
  }
  const r = spawnSync(build, ['--dev'], { cwd: path.join(ROOT, 'wasm'), stdio: 'inherit' });
  if (r.status !== 0 || !fs.existsSync(path.join(PKG_DIR, 'cis2_browser.js'))) {
    throw new Error(
      `building the cis2-browser package failed (wasm/build.sh --dev exited ${r.status}); ` +
        'the demo end-to-end tests need it: run wasm/ensure-tools.sh && wasm/build.sh',
    );
  }
}

export function demoBin() {
  const bin = process.env.CIS2_DEMO_BIN || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'debug', 'example-demo-rp');
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run cargo build -p example-demo-rp`);
  return bin;
}

/** A real redis-server on a free loopback port (no persistence). */
export async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  child.stdout.on('data', (d) => logs.push(d.toString()));
  child.stderr.on('data', (d) => logs.push(d.toString()));
  let exited = null;
  child.on('error', (e) => {
    exited = { error: e.message };
  });
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  await waitFor(
    () => {
      if (exited) throw new Error(`redis-server did not start (${JSON.stringify(exited)}): ${logs.join('')}`);
      return logs.join('').includes('Ready to accept connections');
    },
    { timeoutMs: 15000, what: 'redis-server' },
  );
  return {
    url: `redis://127.0.0.1:${port}`,
    logs,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await Promise.race([new Promise((r) => child.once('exit', r)), sleep(3000)]);
      }
    },
  };
}

/**
 * Starts the demo against `mock`: it registers its client at the mock's admin API on start. Instances that
 * share a client must share `dataDir` (the private_key_jwt key) and start one after the other. `env`: more
 * settings for the demo (e.g. `DEMO_DUAL_RUN`).
 */
export async function startDemo(mock, { dataDir, redisUrl, backchannelLogoutUri, name = 'demo', env: extraEnv = {} } = {}) {
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const ownDir = !dataDir;
  const dir = dataDir || fs.mkdtempSync(path.join(os.tmpdir(), 'cis2-demo-'));
  const env = {
    ...process.env,
    CIS2_ISSUER: mock.issuer,
    CIS2_MOCK_ADMIN_URL: `${mock.direct}/admin/api`,
    DEMO_PORT: String(port),
    DEMO_PUBLIC_URL: base,
    DEMO_DATA_DIR: dir,
    DEMO_PKG_DIR: PKG_DIR,
    DEMO_NHSUK_DIR: NHSUK_DIR,
    DEMO_LOG: process.env.DEMO_LOG || 'info',
    ...extraEnv,
  };
  if (redisUrl) {
    env.DEMO_REDIS_URL = redisUrl;
    env.DEMO_REDIS_PREFIX = 'e2e';
  }
  if (backchannelLogoutUri) env.DEMO_BACKCHANNEL_LOGOUT_URI = backchannelLogoutUri;
  const child = spawn(demoBin(), [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs = [];
  child.stdout.on('data', (d) => logs.push(d.toString()));
  child.stderr.on('data', (d) => logs.push(d.toString()));
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  await waitFor(
    async () => {
      if (exited) throw new Error(`${name} exited early (${JSON.stringify(exited)}):\n${logs.join('')}`);
      try {
        return (await fetch(`http://127.0.0.1:${port}/`)).ok;
      } catch {
        return false;
      }
    },
    { timeoutMs: 60000, what: `${name} to answer` },
  );
  return {
    name,
    port,
    base,
    dataDir: dir,
    logs,
    backchannelLogoutUri: `${base}/auth/backchannel-logout`,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await Promise.race([new Promise((r) => child.once('exit', r)), sleep(3000)]);
        if (!exited) child.kill('SIGKILL');
      }
      if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The mock's current time (its clock offset included), in Unix seconds. */
export async function mockNow(mock) {
  const clock = await mock.admin('GET', '/clock');
  return clock.now;
}

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits) over an ASCII secret, as cis2_mock_idp::totp computes it. */
export function totp(secret, unixSecs) {
  const step = BigInt(Math.floor(unixSecs / 30));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(step);
  const h = crypto.createHmac('sha1', Buffer.from(secret, 'ascii')).update(msg).digest();
  const offset = h[h.length - 1] & 0x0f;
  const bin = h.readUInt32BE(offset) & 0x7fffffff;
  return String(bin % 1_000_000).padStart(6, '0');
}

export const TOTP_SECRET = '12345678901234567890';

/**
 * On the mock's login page: sign in as `uid` with `method` (`smartcard`, `totp`, `password`, `nhsmail`, `ios`,
 * `fido2`), then, when the mock asks for a role, choose `role` (a person_roleid). Resolves when the page is back
 * at `returnUrl`. Each method's fields are revealed under its radio once it is checked (NHS.UK conditional
 * radios), so the method is chosen before its fields are filled.
 */
export async function mockSignIn(page, mock, { uid, method, role, returnUrlPrefix }) {
  await page.locator('#login-form').waitFor();
  await page.check(`#uid-${uid}`);
  await page.check(`#method-${method}`);
  if (method === 'smartcard') await page.fill('#passcode', '1234');
  if (method === 'password') await page.fill('#password', 'password');
  if (method === 'totp') await page.fill('#totp-password', 'password');
  if (method === 'totp') await page.fill('#totp', totp(TOTP_SECRET, await mockNow(mock)));
  if (method === 'nhsmail') await page.fill('#nhsmail-password', 'password');
  if (method === 'ios') await page.check('#ios-approval');
  await page.click('#sign-in');
  await page.waitForURL((u) => u.href.includes('/select-role?') || u.href.startsWith(returnUrlPrefix));
  if (page.url().includes('/select-role?')) {
    if (!role) throw new Error(`the mock asked for a role but the test gave none: ${page.url()}`);
    await page.check(`#role-${role}`);
    await Promise.all([page.waitForURL((u) => u.href.startsWith(returnUrlPrefix)), page.click('#continue')]);
  }
}

/** Waits until the page's cis2-browser client is running (the package loaded and `start()` resolved). */
export async function sdkReady(page) {
  await page.waitForFunction(() => ['ready', 'error', 'off'].includes(document.body?.dataset.sdk), null, {
    timeout: 15000,
  });
  const state = await page.evaluate(() => document.body.dataset.sdk);
  if (state !== 'ready') {
    const status = await page.locator('#sdk-status').textContent();
    throw new Error(`the cis2-browser package did not start on ${page.url()}: ${state} (${status})`);
  }
}

/** Waits for the "session ended" banner and returns its text. */
export async function sessionEndedText(page) {
  const banner = page.locator('#session-ended');
  await banner.waitFor({ state: 'visible', timeout: 15000 });
  return (await page.locator('#session-ended-message').textContent()).trim();
}
