// The demo relying party in dual-run mode (DEMO_DUAL_RUN: cis2-server's cis1 feature) against cis2-mock-idp's
// CIS1 emulation and virtual Identity Agent, in headless Chromium:
//   1. CIS1 sign-in through the Identity Agent (getTicket: card, PIN, role at PIN entry) shows the same user page
//      as a CIS2 sign-in of that user and role (in another browser context: another workstation);
//   2. with the cut-over switch on the page set to "everyone on CIS2", the next sign-in goes through CIS2 without
//      a second PIN: the Identity Agent hands the same ticket back at once, the kit answers cis2_required and the
//      mock's Identity Agent single sign-on skips its login page (amr N3_SMARTCARD, the role chosen at PIN entry);
//   3. removing the card ends both: the Identity Agent holds no ticket any more, and the demo's CIS2 sessions end
//      with back-channel logout (the page says so).
// Needs target/debug/example-demo-rp, target/debug/cis2-mock-idp and the cis2-browser package in wasm/pkg.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { launch, newPage, withArtifacts } from '../lib/browser.mjs';
import { demoBin, ensurePkg, mockSignIn, sdkReady, sessionEndedText, startDemo } from '../lib/demo.mjs';
import { artifactPath, startMock } from '../lib/mock.mjs';

const MORGAN = '555000000001'; // three roles across two organisations
const NURSE_ROLE = '555000000102'; // at RBA

let mock;
let demo;
let browser;

before(async () => {
  demoBin();
  ensurePkg();
  mock = await startMock();
  demo = await startDemo(mock, { name: 'demo-dual-run', env: { DEMO_DUAL_RUN: 'true' } });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
  await mock?.stop();
});

/** What the demo's user page says about the user. */
async function userPage(page) {
  const text = async (sel) => (await page.locator(sel).textContent()).trim();
  return {
    sub: await text('#user-sub'),
    name: await text('#user-name'),
    selectedRole: await text('#selected-role'),
    selectedOrg: await text('#selected-org'),
    roles: await text('#roles tbody'),
    organisations: await text('#organisations'),
  };
}

async function signInPath(page, expected) {
  await page.waitForFunction((p) => document.querySelector('#sign-in-path')?.textContent.startsWith(p), expected, {
    timeout: 15000,
  });
}

/** The virtual Identity Agent's getTicketNoAuth, called from the demo's page as an app's script would. */
async function getTicketNoAuth(page) {
  return page.evaluate(async (url) => {
    const r = await fetch(url, { credentials: 'include' });
    return { status: r.status, body: await r.json() };
  }, `${mock.base}/ia/getTicketNoAuth`);
}

test('dual-run: CIS1 via the Identity Agent, cut-over to CIS2 without a second PIN, card removal ends both', async () => {
  const main = await newPage(browser);
  const ref = await newPage(browser);
  const { page } = main;
  try {
    await withArtifacts('dual-run', { ...main, mock }, async () => {
      await mock.admin('PUT', '/card-mode', { mode: 'identity_agent' });

      // Reference: Morgan's nurse role through CIS2 (smartcard on the mock's login page), on another workstation.
      await ref.page.goto(`${demo.base}/`);
      await ref.page.goto(new URL(await ref.page.getAttribute('#sign-in-role', 'href'), demo.base).href);
      await mockSignIn(ref.page, mock, { uid: MORGAN, method: 'smartcard', role: NURSE_ROLE, returnUrlPrefix: `${demo.base}/` });
      await signInPath(ref.page, 'CIS2');
      const viaCis2 = await userPage(ref.page);
      await sdkReady(ref.page);

      // 1. CIS1: the Identity Agent asks for the card, the PIN and the role, then hands the ticket to the page.
      await page.goto(`${demo.base}/`);
      await page.locator('#dual-run').waitFor();
      assert.equal(await page.getAttribute('#cutover-state', 'data-mode'), 'off');
      await page.click('#sign-in-cis1');
      await page.locator('#ia-passcode').waitFor();
      await page.check(`#ia-uid-${MORGAN}`);
      await page.fill('#ia-passcode', '1234');
      await page.click('#ia-sign-in');
      await page.check(`#ia-role-${NURSE_ROLE}`);
      await page.click('#ia-continue');
      await signInPath(page, 'CIS1');
      assert.ok(!page.url().includes('ticket'), `the ticket left the address bar: ${page.url()}`);
      assert.deepEqual(await userPage(page), viaCis2, 'the same user page whichever way the user came');
      const held = await getTicketNoAuth(page);
      assert.equal(held.status, 200, JSON.stringify(held.body));
      assert.equal(held.body.selected_roleid, NURSE_ROLE);

      // 2. Everyone on CIS2; sign out; the next sign-in goes through CIS2 with no PIN and no login page.
      await page.check('#cutover-everyone');
      await Promise.all([page.waitForNavigation(), page.click('#cutover-save')]);
      assert.equal(await page.getAttribute('#cutover-state', 'data-mode'), 'everyone');
      await sdkReady(page);
      await Promise.all([page.waitForURL(`${demo.base}/`), page.click('#sign-out')]);
      await page.locator('#signed-out').waitFor();
      const journey = [];
      page.on('response', (r) => {
        if (r.request().isNavigationRequest() && r.request().frame() === page.mainFrame()) {
          journey.push(`${r.status()} ${r.url()}`);
        }
      });
      await page.click('#sign-in-cis1');
      await signInPath(page, 'CIS2');
      const asked = journey.filter((n) => n.includes('/login?interaction=') || /^200 .*\/ia\/getTicket/.test(n));
      assert.deepEqual(asked, [], `a second PIN was asked for:\n${journey.join('\n')}`);
      assert.ok(journey.some((n) => n.includes('/authorize?')), `the sign-in went through CIS2:\n${journey.join('\n')}`);
      assert.match(await page.locator('#aal').textContent(), /; N3_SMARTCARD\)$/);
      assert.deepEqual(await userPage(page), viaCis2, 'the role chosen at PIN entry reached CIS2');

      // 3. Card removal: the Identity Agent's session and the CIS2 sessions on that card end.
      await sdkReady(page);
      const { cards } = await mock.admin('GET', '/cards');
      const card = cards.find((c) => c.uid === MORGAN && c.inserted);
      assert.ok(card, `Morgan's card is in the reader: ${JSON.stringify(cards)}`);
      const removed = await mock.admin('POST', `/cards/${encodeURIComponent(card.serial)}/remove`);
      assert.equal(removed.ended_cis1_sessions.length, 1, JSON.stringify(removed));
      assert.equal(removed.ended_sessions.length, 2, JSON.stringify(removed));
      assert.equal(await sessionEndedText(page), 'Your session has ended: backchannel_logout');
      assert.equal(await sessionEndedText(ref.page), 'Your session has ended: backchannel_logout');
      const gone = await getTicketNoAuth(page);
      assert.equal(gone.status, 404);
      assert.equal(gone.body.error, 'no_session');
    });
  } catch (e) {
    try {
      fs.writeFileSync(artifactPath('dual-run-demo.log'), demo.logs.join(''));
      await ref.page.screenshot({ path: artifactPath('dual-run-reference.png'), fullPage: true });
    } catch {}
    throw e;
  } finally {
    await ref.context.close();
  }
});
