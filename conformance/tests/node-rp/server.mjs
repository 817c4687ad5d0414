// A generic OpenID Connect relying party on openid-client (v6) and jose, written the way their docs show and
// the way a supplier writes one: nothing in it comes from cis2-kit and it holds no CIS2-specific logic
// (no role resolution, no acr or assurance-level checks beyond openid-client's defaults). The conformance
// suite runs against it in conformance/tests/node_rp.rs to show what a competent generic RP gets right and
// which CIS2-specific checks it misses.
//
//   node server.mjs --issuer URL --client-id ID --client-secret SECRET [--port 0] [--host 127.0.0.1]
//                   [--non-repudiation]
//   (or CIS2_ISSUER, CIS2_CLIENT_ID, CIS2_CLIENT_SECRET, PORT)
//
// By default openid-client does not verify the signature of an ID token it gets from the token endpoint:
// OpenID Connect lets a client trust the TLS connection instead, and openid-client's docs show that
// default. --non-repudiation adds openid-client's own enableNonRepudiationChecks, which verifies it
// against the IdP's JWKS (CIS2 expects the signature checked).
//
// Prints one JSON line on stdout once listening: {"listening":PORT,"base_url":"http://127.0.0.1:PORT"}.
//
// Routes: GET /login (sign-in), GET /change-role (sign in again, prompt=login), GET /step-up (sign in again
// asking for AAL3_ANY), GET /callback, GET /me (200 JSON when signed in, 401 when not), GET /aal3 (200 only
// to a session that came from a step-up sign-in), POST /logout (ends the session here, then RP-initiated
// logout at the IdP), POST /backchannel-logout (OIDC Back-Channel Logout 1.0), GET /signed-out.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';

import * as jose from 'jose';
import * as client from 'openid-client';

const { values: args } = parseArgs({
  options: {
    issuer: { type: 'string', default: process.env.CIS2_ISSUER },
    'client-id': { type: 'string', default: process.env.CIS2_CLIENT_ID },
    'client-secret': { type: 'string', default: process.env.CIS2_CLIENT_SECRET },
    port: { type: 'string', default: process.env.PORT ?? '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'non-repudiation': { type: 'boolean', default: false },
  },
});
for (const k of ['issuer', 'client-id', 'client-secret']) {
  if (!args[k]) {
    console.error(`missing --${k}`);
    process.exit(2);
  }
}
const issuer = args.issuer;
const clientId = args['client-id'];
const clientSecret = args['client-secret'];

// Discovery, once at start-up. The suite's IdP is plain http on the loopback, hence allowInsecureRequests.
const execute = [client.allowInsecureRequests];
if (args['non-repudiation']) execute.push(client.enableNonRepudiationChecks);
const config = await client.discovery(
  new URL(issuer),
  clientId,
  clientSecret,
  client.ClientSecretPost(clientSecret),
  { execute },
);
const metadata = config.serverMetadata();
// For logout tokens: jose's remote JWKS (cached, refetched on an unknown kid with a cooldown).
const jwks = jose.createRemoteJWKSet(new URL(metadata.jwks_uri));

const SCOPE = 'openid profile nationalrbacaccess';
const ACR = 'AAL2_OR_AAL3_ANY';
const ACR_STEP_UP = 'AAL3_ANY';
const COOKIE = 'rp_session';
const BCL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Server-side sessions, keyed by the random id in the HttpOnly cookie. */
const sessions = new Map();
/** Logout-token jtis already used, with when they can be forgotten (ms). */
const seenJtis = new Map();

let baseUrl; // set once listening
const redirectUri = () => `${baseUrl}/callback`;

function cookieSession(req) {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) {
      const id = v.join('=');
      const s = sessions.get(id);
      return s ? { id, s } : null;
    }
  }
  return null;
}

function newSession(res, data) {
  const id = randomBytes(32).toString('base64url');
  sessions.set(id, data);
  res.setHeader('Set-Cookie', `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
  return id;
}

function send(res, status, body, headers = {}) {
  const json = typeof body !== 'string';
  res.writeHead(status, {
    'Content-Type': json ? 'application/json' : 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(json ? JSON.stringify(body) : body);
}

function redirect(res, location) {
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store' });
  res.end();
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 64 * 1024) throw new Error('body too large');
  }
  return new URLSearchParams(body);
}

// --- Sign-in -----------------------------------------------------------------------------------------

async function startSignIn(req, res, kind) {
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const params = {
    redirect_uri: redirectUri(),
    scope: SCOPE,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    state,
    nonce,
    acr_values: kind === 'step-up' ? ACR_STEP_UP : ACR,
  };
  if (kind !== 'sign-in') params.prompt = 'login';
  // The pending sign-in lives in a fresh server-side session bound to this browser's cookie.
  newSession(res, { pending: { state, nonce, codeVerifier, kind } });
  redirect(res, client.buildAuthorizationUrl(config, params).href);
}

async function callback(req, res, url) {
  const found = cookieSession(req);
  const pending = found?.s.pending;
  if (!pending) {
    return send(res, 400, 'No sign-in is in progress in this browser. Start again from /login.');
  }
  sessions.delete(found.id); // one use, whatever happens next
  let tokens;
  let userinfo;
  try {
    tokens = await client.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  } catch (e) {
    const cause = e.cause === undefined ? '' : ` ${JSON.stringify(e.cause, (k, v) => (v instanceof Response ? `HTTP ${v.status}` : v))}`;
    console.error(`sign-in refused: ${e.name}: ${e.message}${e.code ? ` (${e.code})` : ''}${cause}`);
    const refused =
      e instanceof client.AuthorizationResponseError ||
      e instanceof client.ResponseBodyError ||
      e instanceof client.ClientError;
    return send(res, refused ? 400 : 502, refused ? 'Sign-in failed.' : 'The sign-in service is unavailable.');
  }
  const claims = tokens.claims();
  newSession(res, {
    user: {
      sub: claims.sub,
      sid: claims.sid,
      idToken: tokens.id_token,
      claims,
      userinfo,
      stepUp: pending.kind === 'step-up',
      signedInAt: Date.now(),
    },
  });
  redirect(res, '/me');
}

// --- Signed-in pages ---------------------------------------------------------------------------------

function me(req, res) {
  const user = cookieSession(req)?.s.user;
  if (!user) return send(res, 401, { authenticated: false });
  send(res, 200, {
    authenticated: true,
    sub: user.sub,
    sid: user.sid ?? null,
    id_token_claims: user.claims,
    userinfo: user.userinfo,
  });
}

function aal3(req, res) {
  const user = cookieSession(req)?.s.user;
  if (!user) return send(res, 401, 'Sign in first.');
  if (!user.stepUp) return send(res, 403, 'This page needs the stronger sign-in: open /step-up.');
  send(res, 200, 'Sensitive page (AAL3).');
}

function logout(req, res) {
  const found = cookieSession(req);
  if (found) sessions.delete(found.id);
  res.setHeader('Set-Cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
  const user = found?.s.user;
  if (user && metadata.end_session_endpoint) {
    return redirect(
      res,
      client.buildEndSessionUrl(config, {
        id_token_hint: user.idToken,
        post_logout_redirect_uri: `${baseUrl}/signed-out`,
      }).href,
    );
  }
  redirect(res, '/signed-out');
}

// --- Back-channel logout (OpenID Connect Back-Channel Logout 1.0, section 2.6) -------------------------

async function backchannelLogout(req, res) {
  const bad = (why) => {
    console.error(`logout token refused: ${why}`);
    send(res, 400, { error: 'invalid_request', error_description: why });
  };
  let form;
  try {
    form = await readForm(req);
  } catch (e) {
    return bad(e.message);
  }
  const token = form.get('logout_token');
  if (!token) return bad('no logout_token');
  let payload;
  try {
    ({ payload } = await jose.jwtVerify(token, jwks, {
      issuer,
      audience: clientId,
      algorithms: ['RS256'],
      requiredClaims: ['iat', 'jti', 'events'],
      maxTokenAge: '2 minutes',
      clockTolerance: 30,
    }));
  } catch (e) {
    return bad(`${e.code ?? e.name}: ${e.message}`);
  }
  const events = payload.events;
  if (typeof events !== 'object' || events === null || Array.isArray(events)) return bad('events is not an object');
  const event = events[BCL_EVENT];
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return bad('no back-channel logout event');
  if (payload.nonce !== undefined) return bad('a logout token must not carry a nonce');
  const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
  const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
  if (!sid && !sub) return bad('neither sid nor sub');
  if (typeof payload.jti !== 'string') return bad('jti is not a string');
  const now = Date.now();
  for (const [jti, until] of seenJtis) if (until < now) seenJtis.delete(jti);
  if (seenJtis.has(payload.jti)) return bad('jti already used');
  const expMs = typeof payload.exp === 'number' ? payload.exp * 1000 : now;
  seenJtis.set(payload.jti, Math.max(expMs, now) + 5 * 60 * 1000);

  let ended = 0;
  for (const [id, s] of sessions) {
    const u = s.user;
    if (!u) continue;
    if (sid ? u.sid === sid && (!sub || u.sub === sub) : u.sub === sub) {
      sessions.delete(id);
      ended += 1;
    }
  }
  console.error(`back-channel logout: ${sid ? `sid ${sid}` : `sub ${sub}`}, ${ended} session(s) ended`);
  send(res, 200, '', { 'Content-Type': 'text/plain' });
}

// --- Routing -----------------------------------------------------------------------------------------

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, baseUrl);
  try {
    switch (`${req.method} ${url.pathname}`) {
      case 'GET /login':
        return await startSignIn(req, res, 'sign-in');
      case 'GET /change-role':
        return await startSignIn(req, res, 'change-role');
      case 'GET /step-up':
        return await startSignIn(req, res, 'step-up');
      case 'GET /callback':
        return await callback(req, res, url);
      case 'GET /me':
        return me(req, res);
      case 'GET /aal3':
        return aal3(req, res);
      case 'POST /logout':
        return logout(req, res);
      case 'POST /backchannel-logout':
        return await backchannelLogout(req, res);
      case 'GET /signed-out':
        return send(res, 200, 'You are signed out.');
      default:
        return send(res, 404, 'Not found.');
    }
  } catch (e) {
    console.error(`${req.method} ${url.pathname}: ${e.stack ?? e}`);
    if (!res.headersSent) send(res, 500, 'Internal error.');
  }
});

server.listen(Number(args.port), args.host, () => {
  const { port } = server.address();
  baseUrl = `http://${args.host}:${port}`;
  process.stdout.write(`${JSON.stringify({ listening: port, base_url: baseUrl })}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
