// cis2-kit demo, dual-run mode: the Identity Agent's getTicket sends the browser back to this page with the CIS1
// ticket in the URL fragment (#ticket=…, never sent to a server). This script takes it out of the address bar,
// posts it to the backend's /auth/cis1 and follows the answer: signed in, or sent to CIS2 sign-in when the
// cut-over switch covers the user (cis2_required). Independent of the cis2-browser package.

(function () {
  const ticket = new URLSearchParams(window.location.hash.slice(1)).get('ticket');
  if (!ticket) return;
  history.replaceState(null, '', window.location.pathname + window.location.search);
  document.body.dataset.cis1 = 'signing-in';
  const show = (text) => {
    const el = document.getElementById('cis1-error');
    if (el) {
      el.textContent = text;
      el.hidden = false;
    }
    document.body.dataset.cis1 = 'error';
  };
  fetch('/auth/cis1', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ ticket, return_to: '/' }).toString(),
  })
    .then(async (resp) => {
      const body = await resp.json().catch(() => ({}));
      if (resp.ok && body.signed_in) {
        window.location.assign(body.redirect || '/');
      } else if (resp.status === 403 && body.error === 'cis2_required' && body.login) {
        document.body.dataset.cis1 = 'cis2-required';
        window.location.assign(body.login);
      } else {
        show(`CIS1 sign-in refused: ${body.error_description || body.error || resp.status}`);
      }
    })
    .catch((e) => show(`CIS1 sign-in failed: ${e.message}`));
})();
