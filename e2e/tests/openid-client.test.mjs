// openid-client v6 (npm), as a supplier's Node RP would use it, against the mock over HTTPS: a code flow with
// private_key_jwt, userinfo, RFC 7662 introspection and RFC 7009 revocation (issue #14). The RP runs in its
// own process with NODE_EXTRA_CA_CERTS naming the mock's local CA: TLS verification is never turned off.
// Also: openid-client's default assertion `aud` (the issuer) is refused until the client's
// `accept_issuer_audience` switch is on, and the documented one-line `modifyAssertion` setting fixes it.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, startMock } from '../lib/mock.mjs';

const CLIENT_ID = '600000000001.apps.supplier';
const REDIRECT_URI = 'http://localhost:7777/auth/callback';
const UID = '656005750107';
let mock;
let privatePem;
let kid;

before(async () => {
  mock = await startMock({ tls: true });
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  const jwk = publicKey.export({ format: 'jwk' });
  kid = crypto.createHash('sha256').update(jwk.n).digest('base64url').slice(0, 16);
  await mock.admin('POST', '/clients', {
    client_id: CLIENT_ID,
    client_name: 'openid-client RP',
    redirect_uris: [REDIRECT_URI],
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] },
    jwks_uri_signing_algorithm: 'RS256',
    require_pkce: true,
  });
});

after(async () => {
  await mock?.stop();
});

/** Runs lib/openid-client-rp.mjs in its own Node process trusting the mock's CA; returns its JSON report. */
function runRp(mode) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'e2e', 'lib', 'openid-client-rp.mjs')], {
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: mock.caFile,
        ISSUER: mock.issuer,
        CLIENT_ID,
        PRIVATE_KEY_PEM: privatePem,
        KID: kid,
        REDIRECT_URI,
        UID,
        MODE: mode,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`openid-client RP timed out\n${out}\n${err}\n${mock.logs.join('')}`));
    }, 60000);
    child.on('exit', () => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop();
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`openid-client RP printed no report:\n${out}\n${err}`));
      }
    });
  });
}

test('without the local CA, Node refuses the mock\'s certificate (verification is on)', async () => {
  await assert.rejects(fetch(`${mock.issuer}/.well-known/openid-configuration`));
});

test('openid-client: private_key_jwt code flow, userinfo, introspection and revocation over HTTPS', async () => {
  const r = await runRp('token-endpoint-aud');
  assert.equal(r.fatal, undefined, JSON.stringify(r));
  assert.equal(r.token_error, undefined, JSON.stringify(r));
  assert.ok(mock.issuer.startsWith('https://localhost:'));
  assert.equal(r.discovered.issuer, mock.issuer);
  assert.equal(r.discovered.introspection_endpoint, `${mock.issuer}/introspect`);
  assert.equal(r.discovered.revocation_endpoint, `${mock.issuer}/token/revoke`);
  assert.deepEqual(r.id_token, { iss: mock.issuer, sub: UID, aud: CLIENT_ID });
  assert.equal(r.userinfo_sub, UID);
  assert.equal(r.introspection.active, true);
  assert.equal(r.introspection.client_id, CLIENT_ID);
  assert.equal(r.introspection.sub, UID);
  assert.deepEqual(r.introspection_after_revocation, { active: false });
  assert.notEqual(r.userinfo_after_revocation, 'accepted');
  assert.equal(r.userinfo_after_revocation.status, 401, JSON.stringify(r.userinfo_after_revocation));
  const reqs = await mock.admin('GET', '/requests');
  const token = reqs.find((q) => q.endpoint === 'token' && q.client_id === CLIENT_ID);
  assert.equal(token.auth_method, 'private_key_jwt');
});

test("openid-client's default aud (the issuer) is refused until the client accepts it", async () => {
  const refused = await runRp('issuer-aud');
  assert.equal(refused.fatal, undefined, JSON.stringify(refused));
  assert.equal(refused.token_error?.error, 'invalid_client', JSON.stringify(refused));
  assert.match(refused.token_error.error_description, /aud must be exactly the token endpoint/);
  const c = await mock.admin('GET', `/clients/${CLIENT_ID}`);
  await mock.admin('PUT', `/clients/${CLIENT_ID}`, { ...c, accept_issuer_audience: true });
  const accepted = await runRp('issuer-aud');
  assert.equal(accepted.token_error, undefined, JSON.stringify(accepted));
  assert.equal(accepted.id_token.sub, UID);
  assert.deepEqual(accepted.introspection_after_revocation, { active: false });
});
