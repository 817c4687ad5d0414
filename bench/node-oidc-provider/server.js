// Baseline for scripts/mock-bench: node-oidc-provider with its dev interactions (login form, then consent),
// one confidential client (client_secret_post), RS256 ID tokens, authorization code flow, in-memory adapter
// (the bundled one, with a larger store).
//
// Run with: PORT=9301 KEY_FILE=/tmp/node-oidc-key.json node server.js
// The RSA-2048 key is generated once into KEY_FILE, so later starts load it (as the mock loads its key).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';
// The bundled in-memory adapter, with room for every object a run creates: its default store is an LRU of
// 1000 entries (sessions, interactions, grants, codes and tokens together), which evicts pre-minted codes.
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import LRU from 'oidc-provider/lib/helpers/lru.js';

const started = process.hrtime.bigint();
const port = Number(process.env.PORT || 9301);
const keyFile = process.env.KEY_FILE || 'bench-key.json';
const redirectUri = process.env.REDIRECT_URI || 'http://127.0.0.1:7777/cb';

const store = new LRU({ maxSize: 1_000_000 });

let jwk;
if (existsSync(keyFile)) {
  jwk = JSON.parse(readFileSync(keyFile, 'utf8'));
} else {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };
  writeFileSync(keyFile, JSON.stringify(jwk));
}

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'bench-client',
    client_secret: 's3cret',
    redirect_uris: [redirectUri],
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [jwk] },
  adapter: (model) => new MemoryAdapter(model, store),
  cookies: { keys: ['cis2-kit-bench-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
});
// Dev interactions warn on every start; keep the bench output readable.
provider.on('server_error', (ctx, err) => console.error('server_error', err));

provider.listen(port, '127.0.0.1', () => {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.error(`startup_ms=${ms.toFixed(1)} (module loaded to listening)`);
  console.log(`node-oidc-provider listening on http://127.0.0.1:${port}`);
});
