// The mock's login page (issue #14 item 9): each method's fields are revealed under its radio (NHS.UK
// conditional radios), only the methods that can meet the request's acr_values are offered, and only those
// the chosen user has; without JavaScript every field is there and the form still signs in. Also the virtual
// iPad app and NHSmail authenticators (item 5) through the browser.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, newPage, withArtifacts } from '../lib/browser.mjs';
import { mockNow, mockSignIn, totp, TOTP_SECRET } from '../lib/demo.mjs';
import { authorizeUrl, idTokenFor, registerClient, startMock, startRp } from '../lib/mock.mjs';

const GINA = '656005750108'; // AAL3: every authenticator
const GREG = '656005750111'; // AAL2: passkey, TOTP, NHSmail, password

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

const idToken = (state) => idTokenFor(mock, rp, client, state);

test('fields follow the chosen method, methods follow the chosen user and the requested acr', async () => {
  const { context, page } = await newPage(browser);
  await withArtifacts('login-page-conditional', { context, page, mock }, async () => {
    await page.goto(authorizeUrl(mock, rp, client, { acr: 'AAL2_OR_AAL3_ANY', state: 'cond' }));
    // The NHS.UK radios have initialised (they promote data-aria-controls to aria-controls).
    await page.locator('#method-totp[aria-controls]').waitFor({ state: 'attached' });
    await page.check(`#uid-${GINA}`);
    // AAL1 cannot meet AAL2_OR_AAL3_ANY: not offered at all.
    assert.equal(await page.locator('#method-password').count(), 0);
    await page.check('#method-smartcard');
    assert.ok(await page.locator('#passcode').isVisible());
    assert.equal(await page.locator('#totp-password').isVisible(), false);
    await page.check('#method-totp');
    assert.ok(await page.locator('#totp-password').isVisible());
    assert.ok(await page.locator('#totp').isVisible());
    assert.equal(await page.locator('#passcode').isVisible(), false);
    await page.check('#method-ios');
    assert.ok(await page.locator('#ios-approval').isVisible());
    assert.equal(await page.locator('#totp').isVisible(), false);

    // An AAL2 user: the AAL3 methods disappear and a usable one is chosen, its fields revealed.
    await page.check(`#uid-${GREG}`);
    assert.equal(await page.locator('#method-smartcard').isVisible(), false);
    assert.equal(await page.locator('#method-ios').isVisible(), false);
    assert.ok(await page.locator('#method-totp').isVisible());
    assert.ok(await page.locator('#method-nhsmail').isVisible());
    const checked = await page.locator('input[name="method"]:checked').getAttribute('value');
    assert.ok(['passkey', 'totp', 'nhsmail'].includes(checked), checked);
    assert.equal(await page.locator('#no-method').isVisible(), false);

    await mockSignIn(page, mock, { uid: GREG, method: 'nhsmail', returnUrlPrefix: rp.redirectUri });
    const claims = await idToken('cond');
    assert.equal(claims.sub, GREG);
    assert.equal(claims.acr, 'AAL2_OR_AAL3_ANY');
    assert.deepEqual(claims.amr, ['NHSMAIL']);
  });
});

test('AAL3_IOS: only the iPad app is offered; an AAL2 user gets a clear message; the RP gets AAL3_IOS / IOS', async () => {
  const { context, page } = await newPage(browser);
  await withArtifacts('login-page-ios', { context, page, mock }, async () => {
    await page.goto(authorizeUrl(mock, rp, client, { acr: 'AAL3_IOS', state: 'ios', prompt: 'login' }));
    await page.locator('#login-form').waitFor();
    assert.deepEqual(
      await page.locator('input[name="method"]').evaluateAll((els) => els.map((e) => e.value)),
      ['ios'],
    );
    await page.check(`#uid-${GREG}`);
    await page.locator('#no-method').waitFor({ state: 'visible' });
    assert.match(await page.locator('#no-method-text').textContent(), /^Greg Totp has no authenticator that meets .*AAL3_IOS/);
    assert.equal(await page.locator('#sign-in').isVisible(), false);
    assert.ok(await page.locator('#cancel').isVisible());

    await mockSignIn(page, mock, { uid: GINA, method: 'ios', returnUrlPrefix: rp.redirectUri });
    const claims = await idToken('ios');
    assert.equal(claims.acr, 'AAL3_IOS');
    assert.deepEqual(claims.amr, ['IOS']);
    assert.equal(String(claims.authentication_assurance_level), '3');
  });
});

test('without JavaScript every field is on the page and the form signs in', async () => {
  const { context, page } = await newPage(browser, { javaScriptEnabled: false });
  await withArtifacts('login-page-no-js', { context, page, mock }, async () => {
    await page.goto(authorizeUrl(mock, rp, client, { acr: 'AAL2_OR_AAL3_ANY', state: 'nojs', prompt: 'login' }));
    await page.locator('#login-form').waitFor();
    for (const field of ['#passcode', '#totp-password', '#totp', '#nhsmail-password', '#ios-approval']) {
      assert.ok(await page.locator(field).isVisible(), `${field} is shown without JavaScript`);
    }
    await page.check(`#uid-${GINA}`);
    await page.check('#method-totp');
    await page.fill('#totp-password', 'password');
    await page.fill('#totp', totp(TOTP_SECRET, await mockNow(mock)));
    await Promise.all([page.waitForURL(`${rp.redirectUri}**`), page.click('#sign-in')]);
    const claims = await idToken('nojs');
    assert.deepEqual(claims.amr, ['TOTP']);
  });
});
