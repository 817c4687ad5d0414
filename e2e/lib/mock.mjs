// Starts the cis2-mock-idp binary on a free port with a temporary data directory, and a tiny relying party
// (redirect_uri + back-channel logout receiver) for the browser tests.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REALM = '/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare';
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value, or throws after `timeoutMs`. */
export async function waitFor(fn, { timeoutMs = 15000, intervalMs = 100, what = 'condition' } = {}) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Decodes a JWT's payload (no verification: the tests only read claims). */
export function jwtPayload(jwt) {
  const part = jwt.split('.')[1];
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/**
 * Starts the mock. Its issuer is on `localhost` (WebAuthn refuses IP addresses as RP IDs, and
 * http://localhost is a secure context); Node talks to it on 127.0.0.1.
 */
export async function startMock({ env = {}, tls = false } = {}) {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cis2-e2e-'));
  const base = `http://localhost:${port}`;
  const direct = `http://127.0.0.1:${port}`;
  // With `tls`, the issuer is on the HTTPS listener (its certificate, signed by the local CA the mock writes
  // to `dataDir/ca.pem`, covers localhost); the admin API stays on the plain listener.
  const tlsPort = tls ? await freePort() : null;
  const issuer = tls ? `https://localhost:${tlsPort}${REALM}` : `${base}${REALM}`;
  const bin = process.env.CIS2_MOCK_BIN || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'debug', 'cis2-mock-idp');
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run cargo build -p cis2-mock-idp`);
  const args = ['--port', String(port), '--data-dir', dataDir, '--issuer', issuer];
  if (tls) args.push('--tls-port', String(tlsPort));
  const child = spawn(bin, args, {
    env: { ...process.env, CIS2_MOCK_LOG: process.env.CIS2_MOCK_LOG || 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  child.stdout.on('data', (d) => logs.push(d.toString()));
  child.stderr.on('data', (d) => logs.push(d.toString()));
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });

  async function admin(method, p, body) {
    const resp = await fetch(`${direct}/admin/api${p}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await resp.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    if (!resp.ok) throw new Error(`admin ${method} ${p}: ${resp.status} ${text}`);
    return json;
  }

  await waitFor(
    async () => {
      if (exited) throw new Error(`cis2-mock-idp exited early (${JSON.stringify(exited)}):\n${logs.join('')}`);
      try {
        const r = await fetch(`${direct}${REALM}/.well-known/openid-configuration`);
        return r.ok;
      } catch {
        return false;
      }
    },
    { timeoutMs: 30000, what: 'cis2-mock-idp to answer discovery' },
  );

  return {
    port,
    base,
    direct,
    issuer,
    dataDir,
    /** The local CA's certificate (PEM file), with `tls`. */
    caFile: tls ? path.join(dataDir, 'ca.pem') : null,
    logs,
    admin,
    /** POSTs a form to the token endpoint (Node side). */
    async token(form) {
      const resp = await fetch(`${direct}${REALM}/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
      const json = await resp.json();
      if (!resp.ok) throw new Error(`token endpoint: ${resp.status} ${JSON.stringify(json)}`);
      return json;
    },
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await Promise.race([new Promise((r) => child.once('exit', r)), sleep(3000)]);
        if (!exited) child.kill('SIGKILL');
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A relying party stand-in: records authorization responses and back-channel logout POSTs. */
export async function startRp() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const callbacks = [];
  const logouts = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, base);
    if (req.method === 'GET' && url.pathname === '/callback') {
      callbacks.push(Object.fromEntries(url.searchParams));
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><title>RP</title><p id="rp-callback">Signed in</p>');
      return;
    }
    if (req.method === 'POST' && url.pathname === '/backchannel-logout') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        logouts.push({ contentType: req.headers['content-type'], ...Object.fromEntries(new URLSearchParams(body)) });
        res.writeHead(200, { 'cache-control': 'no-store' });
        res.end();
      });
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return {
    port,
    base,
    redirectUri: `${base}/callback`,
    backchannelLogoutUri: `${base}/backchannel-logout`,
    callbacks,
    logouts,
    stop: () => new Promise((r) => server.close(r)),
  };
}

/** Registers a client_secret_post client whose redirect and back-channel logout URIs point at `rp`. */
export async function registerClient(mock, rp, clientId = '123456789012.apps.national') {
  const secret = 'e2e-secret';
  await mock.admin('POST', '/clients', {
    client_id: clientId,
    client_name: 'E2E relying party',
    redirect_uris: [rp.redirectUri],
    backchannel_logout_uri: rp.backchannelLogoutUri,
    post_logout_redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_post',
    client_secret: secret,
  });
  return { clientId, secret };
}

/** Waits for the RP's callback with `state`, exchanges its code (client_secret_post) and returns the ID token's claims. */
export async function idTokenFor(mock, rp, client, state) {
  const cb = await waitFor(() => rp.callbacks.find((c) => c.state === state), { what: `the code (${state})` });
  const tokens = await mock.token({
    grant_type: 'authorization_code',
    code: cb.code,
    redirect_uri: rp.redirectUri,
    client_id: client.clientId,
    client_secret: client.secret,
  });
  return jwtPayload(tokens.id_token);
}

export function authorizeUrl(mock, rp, client, { acr, state, prompt } = {}) {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: rp.redirectUri,
    scope: 'openid profile',
    state: state || 'e2e-state',
    nonce: 'e2e-nonce',
  });
  if (acr) q.set('acr_values', acr);
  if (prompt) q.set('prompt', prompt);
  return `${mock.issuer}/authorize?${q}`;
}

export function artifactPath(name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
