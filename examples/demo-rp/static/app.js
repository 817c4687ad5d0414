// cis2-kit demo: the live half of the page, on the cis2-browser package (served at /pkg/ when built).
// The page works without this script (server-rendered links and forms); with it, the session is followed
// live: the backend's event stream, a banner in every tab when the session ends, and the buttons driven by
// the SDK (signIn / changeRole / stepUp / signOut).

const $ = (sel) => document.querySelector(sel);

function logEvent(text) {
  const list = $('#session-events');
  if (!list) return;
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  list.appendChild(li);
}

function setStatus(text) {
  const el = $('#sdk-status');
  if (el) el.textContent = text;
}

function showEnded(reason) {
  const banner = $('#session-ended');
  $('#session-ended-message').textContent = `Your session has ended: ${reason}`;
  banner.hidden = false;
  banner.dataset.reason = reason;
  document.body.dataset.session = 'ended';
  for (const id of ['#change-role', '#sensitive', '#sign-out']) {
    const el = $(id);
    if (el) el.setAttribute('aria-disabled', 'true');
  }
  logEvent(`Session ended: ${reason}`);
}

function roleText(role) {
  return role ? `${role.roleTitle} (${role.personRoleId})` : 'None selected';
}

/** Re-renders the signed-in summary from the SDK's view of the session (the same shape the server shows). */
function render(session) {
  if (!session || !$('#signed-in')) return;
  const u = session.user;
  const set = (sel, text) => {
    const el = $(sel);
    if (el) el.textContent = text;
  };
  set('#user-name', u.name || u.sub);
  set('#user-sub', u.sub);
  set('#selected-role', roleText(u.selectedRole));
  if (u.selectedOrganisation) {
    set('#selected-org', `${u.selectedOrganisation.orgName} (${u.selectedOrganisation.orgCode})`);
  }
  set('#aal', `AAL${u.aal ?? '?'} (${u.acr ?? 'no acr'}; ${u.amr.join(', ')})`);
}

async function main() {
  let mod;
  try {
    mod = await import('/pkg/cis2_browser.js');
    await mod.default();
  } catch (e) {
    // No package (or a broken one): the server-rendered page keeps working.
    setStatus(`Live session: off (${e.message})`);
    document.body.dataset.sdk = 'off';
    return;
  }
  const sdk = new mod.Cis2Browser({ baseUrl: '/auth' });
  window.cis2 = sdk; // for the console

  sdk.onSessionEnded((reason) => showEnded(reason));
  sdk.onIdleWarning((secondsLeft) => logEvent(`Idle warning: ${secondsLeft}s until the session times out`));

  // Sign-in buttons (signed out).
  for (const a of document.querySelectorAll('#sign-in, #sign-in-role, #sign-in-any')) {
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      const opts = { returnTo: '/' };
      if (a.dataset.acr) opts.acr = a.dataset.acr;
      if (a.dataset.selectRole === 'true') opts.selectedRole = true;
      sdk.signIn(opts);
    });
  }

  $('#change-role')?.addEventListener('click', (ev) => {
    ev.preventDefault();
    logEvent('Changing role');
    sdk.changeRole({ returnTo: '/' });
  });

  let session;
  $('#sensitive')?.addEventListener('click', (ev) => {
    if (session && !session.user.meetsAal(3)) {
      ev.preventDefault();
      logEvent(`Step-up to AAL3 (now AAL${session.user.aal})`);
      sdk.stepUp({ returnTo: '/sensitive' });
    }
    // At AAL3 the link simply navigates; the server's RequireAal3 would step up anyway.
  });

  $('#sign-out-form')?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await sdk.signOut({});
    } finally {
      window.location.assign('/');
    }
  });

  try {
    session = await sdk.start();
  } catch (e) {
    setStatus(`Live session: error (${e.code || e.message})`);
    document.body.dataset.sdk = 'error';
    return;
  }
  render(session);
  setStatus(`Live session: on (cis2-browser ${mod.getVersion()})`);
  document.body.dataset.sdk = 'ready';
  if (session) {
    logEvent(`Live session started: ${session.user.sub} at AAL${session.user.aal}, role ${roleText(session.user.selectedRole)}`);
  }
}

main();
