// A relying party written the way openid-client v6's docs show, run as its own process by
// tests/openid-client.test.mjs with NODE_EXTRA_CA_CERTS naming the mock's local CA (TLS verification stays
// on). It signs in against the HTTPS mock with private_key_jwt, reads userinfo, introspects and revokes the
// access token, and prints what it saw as one JSON line.
//
// Environment: ISSUER, CLIENT_ID, PRIVATE_KEY_PEM (PKCS#8), KID, REDIRECT_URI, UID, ADMIN (the mock's admin
// API base, plain HTTP), MODE (`token-endpoint-aud` or `issuer-aud`).
import crypto from 'node:crypto';
import * as client from 'openid-client';

const env = process.env;
const issuer = new URL(env.ISSUER);

/** The mock's sign-in with plain HTTP requests (its pages work without JavaScript), cookies kept by hand. */
async function signIn(authorizationUrl) {
  const jar = new Map();
  const get = async (url, init = {}) => {
    const headers = { ...(init.headers || {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const r = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return r;
  };
  const post = (url, form) =>
    get(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  let r = await get(authorizationUrl);
  let loc = new URL(r.headers.get('location'), issuer);
  if (!loc.pathname.endsWith('/login')) throw new Error(`expected the login page, got ${r.status} ${loc}`);
  const interaction = loc.searchParams.get('interaction');
  await get(loc);
  r = await post(new URL(loc.pathname, issuer), {
    interaction,
    uid: env.UID,
    method: 'smartcard',
    passcode: '1234',
  });
  loc = new URL(r.headers.get('location'), issuer);
  if (loc.pathname.endsWith('/select-role')) {
    const page = await (await get(loc)).text();
    const role = page.split('name="role" value="')[1].split('"')[0];
    r = await post(new URL(loc.pathname, issuer), { interaction: loc.searchParams.get('interaction'), role });
    loc = new URL(r.headers.get('location'), issuer);
  }
  if (!loc.href.startsWith(env.REDIRECT_URI)) throw new Error(`expected the callback, got ${r.status} ${loc}`);
  return loc;
}

async function main() {
  const out = {};
  const key = await crypto.subtle.importKey(
    'pkcs8',
    crypto.createPrivateKey(env.PRIVATE_KEY_PEM).export({ type: 'pkcs8', format: 'der' }),
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const privateKey = { key, kid: env.KID };
  // openid-client (like oauth4webapi) names the issuer as the assertion's `aud` by default; CIS2 RPs send the
  // token endpoint. The one-line setting that sends the token endpoint is the `modifyAssertion` option:
  const tokenEndpointAud = {
    [client.modifyAssertion]: (_header, payload) => {
      payload.aud = `${env.ISSUER}/access_token`;
    },
  };
  const auth =
    env.MODE === 'issuer-aud' ? client.PrivateKeyJwt(privateKey) : client.PrivateKeyJwt(privateKey, tokenEndpointAud);
  const config = await client.discovery(issuer, env.CLIENT_ID, undefined, auth);
  out.discovered = {
    issuer: config.serverMetadata().issuer,
    introspection_endpoint: config.serverMetadata().introspection_endpoint,
    revocation_endpoint: config.serverMetadata().revocation_endpoint,
  };

  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: env.REDIRECT_URI,
    scope: 'openid profile nationalrbacaccess',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const callback = await signIn(url);
  let tokens;
  try {
    tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
  } catch (e) {
    out.token_error = { error: e.error, error_description: e.error_description, message: e.message };
    console.log(JSON.stringify(out));
    return;
  }
  const claims = tokens.claims();
  out.id_token = { iss: claims.iss, sub: claims.sub, aud: claims.aud };
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  out.userinfo_sub = userinfo.sub;

  out.introspection = await client.tokenIntrospection(config, tokens.access_token);
  await client.tokenRevocation(config, tokens.access_token, { token_type_hint: 'access_token' });
  out.introspection_after_revocation = await client.tokenIntrospection(config, tokens.access_token);
  try {
    await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    out.userinfo_after_revocation = 'accepted';
  } catch (e) {
    out.userinfo_after_revocation = { status: e.status ?? e.response?.status, message: e.message };
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.log(JSON.stringify({ fatal: `${e?.name}: ${e?.message}`, cause: String(e?.cause ?? '') }));
  process.exitCode = 1;
});
