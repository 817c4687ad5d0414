// cis2-mock-idp page script (served as /assets/mock-idp.js, an ES module).
// 1. Initialises the NHS.UK frontend components when nhsuk-frontend is installed.
// 2. Runs the WebAuthn ceremonies: registration on the manage-authenticators page, sign-in on the login page.
// 3. On the login page, offers only the methods the chosen test user can use for this request (each method
//    radio's data-uids), or says that the user has none. The server enforces the same rules.
//    Every other form works without this script.

const WEBAUTHN_KINDS = { fido2: 'security_key', passkey: 'passkey', passkey_aal3: 'passkey_aal3' };

const b64uToBuf = (s) => {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
};

const bufToB64u = (buf) => {
  const bytes = new Uint8Array(buf);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

async function postJson(url, body) {
  const resp = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  });
  let json;
  try {
    json = await resp.json();
  } catch {
    json = { error: 'invalid_response', error_description: `HTTP ${resp.status}` };
  }
  return { ok: resp.ok, status: resp.status, json };
}

// webauthn-rs-proto JSON (base64url strings) → the ArrayBuffers navigator.credentials wants.
function creationOptions(pk) {
  const o = { ...pk, challenge: b64uToBuf(pk.challenge), user: { ...pk.user, id: b64uToBuf(pk.user.id) } };
  if (pk.excludeCredentials) o.excludeCredentials = pk.excludeCredentials.map((c) => ({ ...c, id: b64uToBuf(c.id) }));
  return o;
}

function requestOptions(pk) {
  const o = { ...pk, challenge: b64uToBuf(pk.challenge) };
  if (pk.allowCredentials) o.allowCredentials = pk.allowCredentials.map((c) => ({ ...c, id: b64uToBuf(c.id) }));
  return o;
}

// The browser's PublicKeyCredential → webauthn-rs-proto JSON.
function attestationJson(c) {
  return {
    id: c.id,
    rawId: bufToB64u(c.rawId),
    type: c.type,
    response: {
      attestationObject: bufToB64u(c.response.attestationObject),
      clientDataJSON: bufToB64u(c.response.clientDataJSON),
      transports: typeof c.response.getTransports === 'function' ? c.response.getTransports() : undefined,
    },
    extensions: c.getClientExtensionResults ? c.getClientExtensionResults() : {},
  };
}

function assertionJson(c) {
  return {
    id: c.id,
    rawId: bufToB64u(c.rawId),
    type: c.type,
    response: {
      authenticatorData: bufToB64u(c.response.authenticatorData),
      clientDataJSON: bufToB64u(c.response.clientDataJSON),
      signature: bufToB64u(c.response.signature),
      userHandle: c.response.userHandle ? bufToB64u(c.response.userHandle) : null,
    },
    extensions: c.getClientExtensionResults ? c.getClientExtensionResults() : {},
  };
}

function showError(message) {
  const box = document.getElementById('webauthn-error');
  const text = document.getElementById('webauthn-error-text');
  if (!box || !text) return;
  text.textContent = message;
  box.hidden = false;
  box.focus();
}

function describe(result) {
  const j = result.json || {};
  return j.error_description || j.error || `HTTP ${result.status}`;
}

async function register(form) {
  const base = form.dataset.webauthnRegister;
  const kind = (form.querySelector('input[name="kind"]:checked') || {}).value || 'security_key';
  const name = (form.querySelector('input[name="name"]') || {}).value || '';
  const start = await postJson(`${base}/start`, { kind, name });
  if (!start.ok) return showError(describe(start));
  let cred;
  try {
    cred = await navigator.credentials.create({ publicKey: creationOptions(start.json.publicKey) });
  } catch (e) {
    return showError(`Your browser did not create a credential: ${e && e.message ? e.message : e}`);
  }
  const finish = await postJson(`${base}/finish`, { ceremony: start.json.ceremony, credential: attestationJson(cred) });
  if (!finish.ok) return showError(describe(finish));
  window.location.reload();
}

async function signIn(form, method) {
  const base = form.dataset.webauthnLogin;
  const kind = WEBAUTHN_KINDS[method] || 'security_key';
  const uid = (form.querySelector('input[name="uid"]:checked') || {}).value || '';
  const interaction = (form.querySelector('input[name="interaction"]') || {}).value || '';
  const start = await postJson(`${base}/start`, { interaction, uid, kind });
  if (!start.ok) {
    if (start.json && start.json.refusal_url) {
      window.location.assign(start.json.refusal_url);
      return;
    }
    return showError(describe(start));
  }
  let cred;
  try {
    cred = await navigator.credentials.get({ publicKey: requestOptions(start.json.publicKey) });
  } catch (e) {
    return showError(`Your browser did not sign in with the authenticator: ${e && e.message ? e.message : e}`);
  }
  const finish = await postJson(`${base}/finish`, { ceremony: start.json.ceremony, credential: assertionJson(cred) });
  if (!finish.ok) {
    if (finish.json && finish.json.refusal_url) {
      window.location.assign(finish.json.refusal_url);
      return;
    }
    return showError(describe(finish));
  }
  window.location.assign(finish.json.redirect);
}

// Shows only the method radios (and their conditional fields) the chosen user can use; keeps a usable one
// checked (a click, so that the NHS.UK radios reveal its fields), or shows the no-method message.
function filterMethods(form) {
  const uid = (form.querySelector('input[name="uid"]:checked') || {}).value || '';
  const items = Array.from(form.querySelectorAll('#methods .nhsuk-radios__item[data-uids]'));
  let firstUsable = null;
  for (const item of items) {
    const usable = item.dataset.uids.split(' ').includes(uid);
    item.hidden = !usable;
    const input = item.querySelector('input[name="method"]');
    const cond = input && input.dataset.ariaControls ? input.dataset.ariaControls : input && input.getAttribute('aria-controls');
    const conditional = cond ? document.getElementById(cond) : null;
    if (conditional && !usable) conditional.hidden = true;
    if (conditional && usable) conditional.hidden = false;
    if (usable && !firstUsable) firstUsable = input;
  }
  const checked = form.querySelector('input[name="method"]:checked');
  if (firstUsable && (!checked || checked.closest('.nhsuk-radios__item').hidden)) firstUsable.click();
  const none = document.getElementById('no-method');
  const methods = document.getElementById('methods');
  const signIn = document.getElementById('sign-in');
  const label = form.querySelector(`label[for="uid-${uid}"]`);
  const name = label ? label.textContent.replace(/ \(UID.*$/, '') : uid;
  if (none) {
    document.getElementById('no-method-text').textContent = (none.dataset.template || '').replace('{name}', name);
    none.hidden = Boolean(firstUsable);
  }
  if (methods) methods.hidden = !firstUsable;
  if (signIn) signIn.hidden = !firstUsable;
}

function wire() {
  const reg = document.getElementById('register-form');
  if (reg) {
    reg.addEventListener('submit', (e) => {
      e.preventDefault();
      register(reg).catch((err) => showError(String(err)));
    });
  }
  const login = document.getElementById('login-form');
  if (login && login.dataset.webauthnLogin) {
    login.addEventListener('submit', (e) => {
      if (e.submitter && e.submitter.value === 'cancel') return;
      const method = (login.querySelector('input[name="method"]:checked') || {}).value;
      if (!WEBAUTHN_KINDS[method]) return;
      e.preventDefault();
      if (!window.PublicKeyCredential) {
        showError('This browser does not support security keys or passkeys.');
        return;
      }
      signIn(login, method).catch((err) => showError(String(err)));
    });
  }
  if (login && login.querySelector('#methods')) {
    login.addEventListener('change', (e) => {
      if (e.target && e.target.name === 'uid') filterMethods(login);
    });
    filterMethods(login);
  }
  document.documentElement.dataset.mockIdpScript = 'ready';
}

wire();

if (document.documentElement.dataset.nhsukFrontend) {
  // What the NHS.UK page template's inline snippet does (the mock's pages carry no inline scripts).
  document.body.classList.add('js-enabled');
  if ('noModule' in HTMLScriptElement.prototype) document.body.classList.add('nhsuk-frontend-supported');
  import('/assets/nhsuk-frontend.min.js')
    .then((m) => (typeof m.initAll === 'function' ? m.initAll() : undefined))
    .catch(() => {});
}
