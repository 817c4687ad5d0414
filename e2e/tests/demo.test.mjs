// The demo relying party (examples/demo-rp: cis2-server + the cis2-browser package + NHS.UK pages) against
// cis2-mock-idp, in headless Chromium:
//   1. sign-in with role selection at AAL2, step-up to AAL3 with the smartcard for the sensitive action, then
//      card removal (Identity Agent mode) ends the session and both open tabs show it;
//   2. a security key registered with Chromium's virtual authenticator signs in to the demo at AAL3;
//   3. two demo instances sharing Redis: the back-channel logout goes to instance B, and the page on
//      instance A shows the session ended.
// Needs target/debug/example-demo-rp, target/debug/cis2-mock-idp and the cis2-browser package in wasm/pkg
// (built here with wasm/build.sh --dev when missing; a failed build fails the tests, never skips them).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launch, newPage, withArtifacts } from '../lib/browser.mjs';
import { DEMO_CLIENT_ID, demoBin, ensurePkg, mockSignIn, sdkReady, sessionEndedText, startDemo, startRedis } from '../lib/demo.mjs';
import { artifactPath, startMock, waitFor } from '../lib/mock.mjs';

const MORGAN = '555000000001'; // three roles across two organisations
const NURSE_ROLE = '555000000102';

let mock;
let browser;
let keyDir; // one private_key_jwt key for every demo instance (they share one registered client)
const demos = [];

before(async () => {
  demoBin(); // fail early with a clear message when the binary is not built
  ensurePkg();
  mock = await startMock();
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cis2-demo-key-'));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  for (const d of demos) await d.stop();
  await mock?.stop();
  if (keyDir) fs.rmSync(keyDir, { recursive: true, force: true });
});

async function demo(opts = {}) {
  const d = await startDemo(mock, { dataDir: keyDir, ...opts });
  demos.push(d);
  return d;
}

/** withArtifacts, plus every demo's log and a screenshot of every open page of the context. */
async function withDemoArtifacts(name, ctx, body) {
  try {
    await withArtifacts(name, ctx, body);
  } catch (e) {
    for (const d of demos) {
      try {
        fs.writeFileSync(artifactPath(`${name}-${d.name}-${d.port}.log`), d.logs.join(''));
      } catch {}
    }
    const pages = ctx.context.pages();
    for (let i = 1; i < pages.length; i++) {
      try {
        await pages[i].screenshot({ path: artifactPath(`${name}-tab${i + 1}.png`), fullPage: true });
      } catch {}
    }
    throw e;
  }
}

async function sidOf(uid) {
  const sessions = await mock.admin('GET', '/sessions');
  const mine = sessions.filter((s) => s.uid === uid);
  assert.ok(mine.length >= 1, `a mock session for ${uid}: ${JSON.stringify(sessions)}`);
  return mine;
}

test('demo: role selection, AAL3 step-up for the sensitive action, card removal ends the session in every tab', async () => {
  const d = await demo({ name: 'demo-main' });
  const { context, page } = await newPage(browser);
  await withDemoArtifacts('demo-smartcard-stepup-removal', { context, page, mock }, async () => {
    await mock.admin('PUT', '/card-mode', { mode: 'identity_agent' });
    const client = await mock.admin('GET', `/clients/${DEMO_CLIENT_ID}`);
    assert.equal(client.token_endpoint_auth_method, 'private_key_jwt');
    assert.equal(client.jwks_uri, `${d.base}/auth/jwks`);
    assert.equal(client.backchannel_logout_uri, d.backchannelLogoutUri);

    // Signed out: the NHS.UK page with the Care Identity button, and the browser package running.
    await page.goto(`${d.base}/`);
    await page.locator('#sign-in', { hasText: 'Log in with Care Identity' }).waitFor();
    await sdkReady(page);

    // 1. Sign in at AAL2 (authenticator app) and choose the nurse role of Morgan's three. The link's own href
    //    (the no-JS path); the SDK's signIn({acr}) is checked by its own test below.
    await page.goto(new URL(await page.getAttribute('#sign-in-any', 'href'), d.base).href);
    await mockSignIn(page, mock, { uid: MORGAN, method: 'totp', role: NURSE_ROLE, returnUrlPrefix: `${d.base}/` });
    await page.locator('#signed-in').waitFor();
    await sdkReady(page);
    assert.equal(await page.locator('#roles tbody tr').count(), 3, 'three roles listed');
    assert.match(await page.locator('#selected-role').textContent(), new RegExp(NURSE_ROLE));
    assert.match(await page.locator('#aal').textContent(), /^AAL2 \(/);
    assert.ok((await page.locator('#organisations li').count()) >= 2, 'organisations listed');

    // 2. The sensitive action needs AAL3: the SDK sends the browser to step up; the smartcard completes it.
    await page.click('#sensitive');
    await page.waitForURL((u) => u.href.startsWith(mock.issuer));
    await mockSignIn(page, mock, { uid: MORGAN, method: 'smartcard', role: NURSE_ROLE, returnUrlPrefix: `${d.base}/sensitive` });
    await page.locator('#sensitive-done').waitFor();
    assert.match(await page.locator('#sensitive-done').textContent(), /AAL3/);

    // 3. Two tabs on the demo, both following the session live.
    await page.goto(`${d.base}/`);
    await page.locator('#signed-in').waitFor();
    await sdkReady(page);
    assert.match(await page.locator('#aal').textContent(), /^AAL3 .*N3_SMARTCARD/);
    const page2 = await context.newPage();
    await page2.goto(`${d.base}/`);
    await page2.locator('#signed-in').waitFor();
    await sdkReady(page2);

    // 4. Remove the virtual card (Identity Agent mode): the mock ends the session and sends a back-channel
    //    logout to the demo; both tabs say the session ended.
    const { cards } = await mock.admin('GET', '/cards');
    const card = cards.find((c) => c.uid === MORGAN && c.inserted);
    assert.ok(card, `Morgan's card is inserted: ${JSON.stringify(cards)}`);
    const removed = await mock.admin('POST', `/cards/${encodeURIComponent(card.serial)}/remove`);
    assert.ok(removed.ended_sessions.length >= 1, JSON.stringify(removed));

    assert.equal(await sessionEndedText(page), 'Your session has ended: backchannel_logout');
    assert.equal(await sessionEndedText(page2), 'Your session has ended: backchannel_logout');
    for (const p of [page, page2]) {
      const events = await p.locator('#session-events').textContent();
      assert.match(events, /Session ended: backchannel_logout/);
    }
    const delivery = await waitFor(
      async () => (await mock.admin('GET', '/logout-deliveries')).find((x) => removed.ended_sessions.includes(x.sid) && x.outcome !== 'pending'),
      { what: 'the back-channel delivery outcome' },
    );
    assert.equal(delivery.outcome, 'delivered');
    assert.equal(delivery.uri, d.backchannelLogoutUri);

    // The server session is gone: a reload shows the signed-out page.
    await page.reload();
    await page.locator('#signed-out').waitFor();
  });
});

test('demo: the SDK signIn({ acr, selectedRole }) reaches the backend as acr_values and select_role', async () => {
  const d = await demo({ name: 'demo-signin-acr' });
  const { context, page } = await newPage(browser);
  await withDemoArtifacts('demo-signin-acr', { context, page, mock }, async () => {
    await page.goto(`${d.base}/`);
    await sdkReady(page);
    const [login, authorize] = await Promise.all([
      page.waitForRequest((r) => r.url().startsWith(`${d.base}/auth/login`)),
      page.waitForRequest((r) => r.url().startsWith(`${mock.issuer}/authorize`)),
      page.click('#sign-in-any'), // app.js: cis2.signIn({ returnTo: '/', acr: 'AAL2_OR_AAL3_ANY', selectedRole: true })
    ]);
    const sent = new URL(login.url()).searchParams;
    assert.equal(sent.get('select_role'), 'true', `cis2-browser signIn: ${login.url()}`);
    assert.equal(
      sent.get('acr_values'),
      'AAL2_OR_AAL3_ANY',
      `cis2-browser signIn({acr}) navigated to ${login.url()}; cis2-server (docs/src/bff-protocol.md) reads ` +
        'acr_values, so the requested ACR never reaches CIS2',
    );
    assert.equal(new URL(authorize.url()).searchParams.get('acr_values'), 'AAL2_OR_AAL3_ANY');
  });
});

test('demo: security key registered with a virtual authenticator signs in at AAL3', async () => {
  const d = await demo({ name: 'demo-webauthn' });
  const { context, page } = await newPage(browser);
  await withDemoArtifacts('demo-security-key', { context, page, mock }, async () => {
    const users = await mock.admin('GET', '/users');
    const user = users.find(
      (u) => u.authenticators.includes('fido2') && u.authenticators.includes('totp') && u.roles.length === 1,
    );
    assert.ok(user, 'a seeded single-role user may use a security key and TOTP');
    await mock.admin('DELETE', `/users/${user.uid}/webauthn-credentials`);

    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });

    // Sign in to the demo another way so the mock has an SSO session — the smartcard, since registering a
    // security key needs a session at its level (AAL3) — then register a security key on the mock's manage page.
    await page.goto(`${d.base}/auth/login?acr_values=AAL3_ANY&return_to=%2F`);
    await mockSignIn(page, mock, { uid: user.uid, method: 'smartcard', returnUrlPrefix: `${d.base}/` });
    await page.locator('#signed-in').waitFor();
    await page.goto(`${mock.issuer}/manage-authenticators`);
    await page.locator('#signed-in-user').waitFor();
    await page.fill('#credential-name', 'Demo key');
    await page.check('#kind-security-key');
    await page.click('#register');
    await page.locator('#credentials .credential', { hasText: 'Demo key' }).waitFor();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1, 'the virtual authenticator holds the credential');
    await page.click('#sign-out');
    await page.locator('#signed-out').waitFor();

    // Signing out at the mock ended the CIS2 session, and with it (back-channel logout) the demo's, unless the
    // page gets there first; then "Log in with Care Identity" (AAL3_ANY) with the security key.
    await page.goto(`${d.base}/`);
    await sdkReady(page);
    if (await page.locator('#signed-in').count()) {
      await page.click('#sign-out');
    }
    await page.locator('#signed-out').waitFor();
    await sdkReady(page);
    await page.click('#sign-in');
    await mockSignIn(page, mock, { uid: user.uid, method: 'fido2', returnUrlPrefix: `${d.base}/` });
    await page.locator('#signed-in').waitFor();
    await sdkReady(page);
    assert.equal(await page.locator('#user-sub').textContent(), user.uid);
    assert.match(await page.locator('#aal').textContent(), /^AAL3 .*FIDO2/);
    const listed = await mock.admin('GET', `/users/${user.uid}/webauthn-credentials`);
    assert.equal(listed.length, 1);
    assert.ok(listed[0].last_used_at, 'the credential was used to sign in');
  });
});

test('demo: two instances share Redis; back-channel logout at instance B ends the page on instance A', async () => {
  const redis = await startRedis();
  try {
    const a = await demo({ name: 'demo-a', redisUrl: redis.url });
    // B starts second, so the client's registered backchannel_logout_uri is B's.
    const b = await demo({ name: 'demo-b', redisUrl: redis.url });
    const client = await mock.admin('GET', `/clients/${DEMO_CLIENT_ID}`);
    assert.equal(client.backchannel_logout_uri, b.backchannelLogoutUri);
    assert.ok(client.redirect_uris.includes(`${a.base}/auth/callback`), 'A stays registered');

    const { context, page } = await newPage(browser);
    await withDemoArtifacts('demo-two-instances-redis', { context, page, mock }, async () => {
      await page.goto(`${a.base}/`);
      await page.click('#sign-in');
      await mockSignIn(page, mock, { uid: '656005750108', method: 'smartcard', returnUrlPrefix: `${a.base}/` });
      await page.locator('#signed-in').waitFor();
      await sdkReady(page);

      const [session] = await sidOf('656005750108');
      await mock.admin('DELETE', `/sessions/${encodeURIComponent(session.sid)}`);

      assert.equal(await sessionEndedText(page), 'Your session has ended: backchannel_logout');
      const deliveries = await mock.admin('GET', '/logout-deliveries');
      const mine = deliveries.filter((x) => x.sid === session.sid);
      assert.ok(mine.length >= 1, JSON.stringify(deliveries));
      assert.ok(
        mine.every((x) => x.uri === b.backchannelLogoutUri),
        `delivered to instance B only: ${JSON.stringify(mine)}`,
      );
      const state = await page.evaluate(async () => (await fetch('/auth/session')).json());
      assert.equal(state.authenticated, false);
    });
  } finally {
    await redis.stop();
  }
});
