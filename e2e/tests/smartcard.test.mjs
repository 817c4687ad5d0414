// Sign in with the virtual smartcard, remove the card (Identity Agent mode) and watch the back-channel
// logout arrive at the RP with the session's sid.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, newPage, withArtifacts } from '../lib/browser.mjs';
import { authorizeUrl, jwtPayload, registerClient, startMock, startRp, waitFor } from '../lib/mock.mjs';

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

test('smartcard sign-in, then card removal delivers a back-channel logout with the same sid', async () => {
  const { context, page } = await newPage(browser);
  await withArtifacts('smartcard-removal', { context, page, mock }, async () => {
    await mock.admin('PUT', '/card-mode', { mode: 'identity_agent' });
    const users = await mock.admin('GET', '/users');
    const user = users.find((u) => u.authenticators.includes('smartcard'));
    assert.ok(user);

    await page.goto(authorizeUrl(mock, rp, client, { acr: 'AAL3_ANY', state: 'sc' }));
    await page.check(`#uid-${user.uid}`);
    await page.check('#method-smartcard');
    await page.fill('#passcode', '1234');
    await Promise.all([page.waitForURL(`${rp.redirectUri}**`), page.click('#sign-in')]);
    const cb = await waitFor(() => rp.callbacks.find((c) => c.state === 'sc'), { what: 'the code' });

    const tokens = await mock.token({
      grant_type: 'authorization_code',
      code: cb.code,
      redirect_uri: rp.redirectUri,
      client_id: client.clientId,
      client_secret: client.secret,
    });
    const idToken = jwtPayload(tokens.id_token);
    assert.equal(idToken.sub, user.uid);
    assert.deepEqual(idToken.amr, ['N3_SMARTCARD']);
    assert.ok(idToken.sid, 'the ID token carries a sid');

    const { cards } = await mock.admin('GET', '/cards');
    const card = cards.find((c) => c.uid === user.uid && c.inserted);
    assert.ok(card, 'the smartcard login inserted the virtual card');
    const removed = await mock.admin('POST', `/cards/${encodeURIComponent(card.serial)}/remove`);
    assert.deepEqual(removed.ended_sessions, [idToken.sid]);

    const delivery = await waitFor(() => rp.logouts[0], { what: 'the back-channel logout POST' });
    assert.match(delivery.contentType, /application\/x-www-form-urlencoded/);
    const logout = jwtPayload(delivery.logout_token);
    assert.equal(logout.sid, idToken.sid);
    assert.equal(logout.sub, user.uid);
    assert.equal(logout.iss, mock.issuer);
    assert.ok(logout.events['http://schemas.openid.net/event/backchannel-logout'] !== undefined);
    assert.equal(logout.nonce, undefined);
  });
});
