// Register a security key with Chromium's virtual authenticator on the mock's "manage authenticators" page,
// sign out, then sign in with it; the RP gets a code whose ID token says AAL3 / FIDO2.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, newPage, withArtifacts } from '../lib/browser.mjs';
import { mockSignIn } from '../lib/demo.mjs';
import { authorizeUrl, idTokenFor, jwtPayload, registerClient, startMock, startRp, waitFor } from '../lib/mock.mjs';

let mock;
let rp;
let browser;
let client;

before(async () => {
  mock = await startMock();
  rp = await startRp();
  client = await registerClient(mock, rp);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await rp?.stop();
  await mock?.stop();
});

test('security key: register on the manage page, sign in with it, ID token is AAL3 / FIDO2', async () => {
  const { context, page } = await newPage(browser);
  await withArtifacts('webauthn-security-key', { context, page, mock }, async () => {
    const users = await mock.admin('GET', '/users');
    const user = users.find((u) => u.authenticators.includes('fido2') && u.authenticators.includes('password'));
    assert.ok(user, 'a seeded user may use a security key');

    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'usb',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });

    // 1. Sign in another way to reach the manage page: the smartcard, since registering a security key needs
    //    a session at its level (AAL3).
    await page.goto(authorizeUrl(mock, rp, client, { acr: 'AAL3_ANY', state: 'sc' }));
    await page.locator('.nhsuk-header__service-name', { hasText: 'Care Identity Service' }).waitFor();
    await mockSignIn(page, mock, { uid: user.uid, method: 'smartcard', returnUrlPrefix: rp.redirectUri });
    assert.equal(rp.callbacks.at(-1).state, 'sc');

    // 2. Register a security key.
    await page.goto(`${mock.issuer}/manage-authenticators`);
    await page.locator('#signed-in-user').waitFor();
    await page.fill('#credential-name', 'Virtual key');
    await page.check('#kind-security-key');
    await page.click('#register');
    await page.locator('#credentials .credential', { hasText: 'Virtual key' }).waitFor();
    const listed = await mock.admin('GET', `/users/${user.uid}/webauthn-credentials`);
    assert.equal(listed.length, 1);
    assert.equal(listed[0].kind, 'security_key');
    assert.equal(listed[0].name, 'Virtual key');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1, 'the virtual authenticator holds the credential');

    // 3. Sign out.
    await page.click('#sign-out');
    await page.locator('#signed-out').waitFor();

    // 4. Sign in with the security key (AAL3 requested).
    const before = rp.callbacks.length;
    await page.goto(authorizeUrl(mock, rp, client, { acr: 'AAL3_ANY', state: 'fido' }));
    await page.check(`#uid-${user.uid}`);
    await page.check('#method-fido2');
    await Promise.all([page.waitForURL(`${rp.redirectUri}**`), page.click('#sign-in')]);
    const cb = await waitFor(() => rp.callbacks.length > before && rp.callbacks.at(-1), { what: 'the code' });
    assert.equal(cb.state, 'fido');
    assert.ok(cb.code, 'authorization code at the RP');

    // 5. Exchange the code from Node and read the ID token.
    const tokens = await mock.token({
      grant_type: 'authorization_code',
      code: cb.code,
      redirect_uri: rp.redirectUri,
      client_id: client.clientId,
      client_secret: client.secret,
    });
    const claims = jwtPayload(tokens.id_token);
    assert.equal(claims.sub, user.uid);
    assert.equal(claims.acr, 'AAL3_ANY');
    assert.deepEqual(claims.amr, ['FIDO2']);
    const after = await mock.admin('GET', `/users/${user.uid}/webauthn-credentials`);
    assert.ok(after[0].last_used_at, 'the credential records its use');
  });
});

test('passkey: not offered when AAL3 is requested, signs in at AAL2 / PASSKEY otherwise', async () => {
  const { context, page } = await newPage(browser);
  await withArtifacts('webauthn-passkey-refused', { context, page, mock }, async () => {
    const users = await mock.admin('GET', '/users');
    // An AAL2 user (passkey, no security key), so this test does not share credentials with the one above.
    const user = users.find((u) => u.authenticators.includes('passkey') && !u.authenticators.includes('fido2'));
    assert.ok(user, 'a seeded AAL2 user may use a passkey');
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    // A passkey (AAL2) is registered from an AAL2 session: TOTP.
    await page.goto(authorizeUrl(mock, rp, client, { acr: 'AAL2_OR_AAL3_ANY', state: 'totp' }));
    await mockSignIn(page, mock, { uid: user.uid, method: 'totp', returnUrlPrefix: rp.redirectUri });
    await page.goto(`${mock.issuer}/manage-authenticators`);
    await page.fill('#credential-name', 'Phone passkey');
    await page.check('#kind-passkey');
    await page.click('#register');
    await page.locator('#credentials .credential', { hasText: 'Phone passkey' }).waitFor();
    const listed = await mock.admin('GET', `/users/${user.uid}/webauthn-credentials`);
    assert.deepEqual(listed.map((c) => [c.kind, c.aal]), [['passkey', 2]]);

    // AAL3 requested: the passkey is not offered, and this AAL2 user is told they have nothing that meets it.
    await page.goto(authorizeUrl(mock, rp, client, { acr: 'AAL3_ANY', state: 'pk', prompt: 'login' }));
    await page.check(`#uid-${user.uid}`);
    assert.equal(await page.locator('#method-passkey').count(), 0, 'a passkey cannot meet AAL3_ANY');
    await page.locator('#no-method').waitFor({ state: 'visible' });
    assert.match(await page.locator('#no-method-text').textContent(), /has no authenticator that meets/);
    assert.equal(await page.locator('#sign-in').isVisible(), false);
    assert.equal(rp.callbacks.filter((c) => c.state === 'pk').length, 0, 'no code for a refused sign-in');

    // The same passkey is fine when the service accepts AAL2.
    await page.goto(authorizeUrl(mock, rp, client, { acr: 'AAL2_OR_AAL3_ANY', state: 'pk2', prompt: 'login' }));
    await page.check(`#uid-${user.uid}`);
    await page.check('#method-passkey');
    await Promise.all([page.waitForURL(`${rp.redirectUri}**`), page.click('#sign-in')]);
    const cb = await waitFor(() => rp.callbacks.find((c) => c.state === 'pk2'), { what: 'the code' });
    const tokens = await mock.token({
      grant_type: 'authorization_code',
      code: cb.code,
      redirect_uri: rp.redirectUri,
      client_id: client.clientId,
      client_secret: client.secret,
    });
    const claims = jwtPayload(tokens.id_token);
    assert.equal(claims.acr, 'AAL2_OR_AAL3_ANY');
    assert.deepEqual(claims.amr, ['PASSKEY']);
    assert.equal(String(claims.authentication_assurance_level), '2');
  });
});

test('AAL3 passkey: registered from an AAL3 session, signs in at AAL3 / PASSKEY, the only method for AAL3_ANY besides the AAL3 ones', async () => {
  const { context, page } = await newPage(browser);
  await withArtifacts('webauthn-passkey-aal3', { context, page, mock }, async () => {
    const users = await mock.admin('GET', '/users');
    // Another AAL3 user than the security-key test's, so the two do not share credentials.
    const user = users.filter((u) => u.authenticators.includes('passkey_aal3'))[1];
    assert.ok(user, 'a seeded AAL3 user may use an AAL3 passkey');
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'hybrid', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    await page.goto(authorizeUrl(mock, rp, client, { acr: 'AAL3_ANY', state: 'sc3' }));
    await mockSignIn(page, mock, { uid: user.uid, method: 'smartcard', returnUrlPrefix: rp.redirectUri });
    await page.goto(`${mock.issuer}/manage-authenticators`);
    await page.fill('#credential-name', 'Android passkey');
    await page.check('#kind-passkey-aal3');
    await page.click('#register');
    await page.locator('#credentials .credential', { hasText: 'Android passkey' }).waitFor();
    const listed = await mock.admin('GET', `/users/${user.uid}/webauthn-credentials`);
    assert.deepEqual(listed.map((c) => [c.kind, c.aal]), [['passkey_aal3', 3]]);

    await page.goto(authorizeUrl(mock, rp, client, { acr: 'AAL3_ANY', state: 'pk3', prompt: 'login' }));
    await page.check(`#uid-${user.uid}`);
    assert.equal(await page.locator('#method-passkey').count(), 0, 'the AAL2 passkey is not offered for AAL3');
    await page.check('#method-passkey_aal3');
    await Promise.all([page.waitForURL(`${rp.redirectUri}**`), page.click('#sign-in')]);
    const claims = await idTokenFor(mock, rp, client, 'pk3');
    assert.equal(claims.acr, 'AAL3_ANY');
    assert.deepEqual(claims.amr, ['PASSKEY']);
    assert.equal(String(claims.authentication_assurance_level), '3');
  });
});
