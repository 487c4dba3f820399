// A real OpenID Connect provider for the web console's tests (panva's oidc-provider), on
// 127.0.0.1 over plain HTTP. Why real: the console signs people in with Authlib against whatever
// identity provider a wellbeing services county runs, so its tests run the whole Authorization
// Code flow (state, nonce, PKCE, client secret, signed id token) against a certified
// implementation instead of a mock that agrees with our own mistakes.
//
// Usage: node oidc_provider.mjs [--port N] [--config FILE_OR_JSON]
//   or HYMY_OIDC_PORT / HYMY_OIDC_CONFIG in the environment (port 0, the default, picks a free
//   port). The config is JSON:
//   {"clients": [{"client_id": "...", "client_secret": "...", "redirect_uris": ["..."],
//                 "token_endpoint_auth_method": "client_secret_basic"}],
//    "users": [{"sub": "...", "email": "...", "name": "...", "groups": [...], "roles": [...]}],
//    "admin_token": "..."}
// When listening it prints one line to stdout: READY {"issuer": "...", "port": N}.
//
// Sign-in page (instead of the library's devInteractions, whose page loads Google's fonts): a
// form with one field, the account (its sub or e-mail), and one button per test user. Consent is
// granted at once (loadExistingGrant), as for a first-party application.
//
// Test-only admin endpoints (Authorization: Bearer <admin_token>), so one provider serves every
// central a test session starts:
//   PUT /_test/clients/<client_id>/redirect_uris   body: ["http://127.0.0.1:PORT/login/callback"]
//   PUT /_test/users                               body: a user object (added or replaced by sub)

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

// The packages live in ./node (its package.json and lock), not beside this file: resolve from there.
const requireFromNode = createRequire(new URL('./node/package.json', import.meta.url));
const { default: Provider } = await import(pathToFileURL(requireFromNode.resolve('oidc-provider')));

const { values: argv } = parseArgs({
  options: { port: { type: 'string' }, config: { type: 'string' } },
});
const port = Number(argv.port ?? process.env.HYMY_OIDC_PORT ?? 0);
const rawConfig = argv.config ?? process.env.HYMY_OIDC_CONFIG ?? '{}';
const config = JSON.parse(rawConfig.trim().startsWith('{') ? rawConfig : fs.readFileSync(rawConfig, 'utf8'));

const users = new Map((config.users ?? []).map((user) => [user.sub, user]));
const clients = new Map(
  (config.clients ?? []).map((client) => [
    client.client_id,
    {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...client,
    },
  ]),
);
const adminToken = config.admin_token ?? '';

function findUser(name) {
  const wanted = String(name ?? '').trim().toLowerCase();
  if (!wanted) return undefined;
  for (const user of users.values()) {
    if (user.sub.toLowerCase() === wanted || String(user.email ?? '').toLowerCase() === wanted) {
      return user;
    }
  }
  return undefined;
}

// Clients are served from this adapter rather than the static `clients` setting: the library
// caches static clients for good, while adapter clients are looked up on every request, so a
// redirect URI set through /_test/ takes effect at once. Everything else lives in memory.
const store = new Map();
class MemoryAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : undefined;
    store.set(this.key(id), { payload, expiresAt });
    if (payload.grantId) {
      const grantKey = `grant:${payload.grantId}`;
      store.set(grantKey, [...(store.get(grantKey) ?? []), this.key(id)]);
    }
    if (payload.userCode) store.set(`userCode:${payload.userCode}`, id);
    if (payload.uid) store.set(`uid:${payload.uid}`, id);
  }

  async find(id) {
    if (this.model === 'Client') {
      const client = clients.get(id);
      return client ? structuredClone(client) : undefined;
    }
    const entry = store.get(this.key(id));
    if (!entry || (entry.expiresAt && entry.expiresAt < Date.now())) return undefined;
    return entry.payload;
  }

  async findByUserCode(userCode) {
    const id = store.get(`userCode:${userCode}`);
    return id ? this.find(id) : undefined;
  }

  async findByUid(uid) {
    const id = store.get(`uid:${uid}`);
    return id ? this.find(id) : undefined;
  }

  async consume(id) {
    const entry = store.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    store.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    const grantKey = `grant:${grantId}`;
    for (const key of store.get(grantKey) ?? []) store.delete(key);
    store.delete(grantKey);
  }
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid, clientId, error) {
  const buttons = [...users.values()]
    .map(
      (user) =>
        `<li><button type="submit" name="login" value="${escapeHtml(user.sub)}">` +
        `${escapeHtml(user.name ?? user.sub)} (${escapeHtml(user.email ?? user.sub)})</button></li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Test identity provider: sign in</title></head>
<body>
<main>
<h1>Test identity provider</h1>
<p>Signing in to <strong>${escapeHtml(clientId)}</strong>.</p>
${error ? `<p role="alert" id="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="login">Account</label>
<input id="login" name="login" type="text" autocomplete="username" autofocus>
<button type="submit" id="sign-in">Sign in</button>
<h2>Test users</h2>
<ul>
${buttons}
</ul>
</form>
<form method="post" action="/interaction/${escapeHtml(uid)}/abort">
<button type="submit" id="cancel">Cancel</button>
</form>
</main>
</body>
</html>`;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res, status, body, type = 'text/plain; charset=utf-8') {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function interaction(provider, req, res, path) {
  const [, , uid, action] = path.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, 'This sign-in has expired; start again.');
  if (req.method === 'GET' && !action) {
    return send(res, 200, loginPage(uid, details.params.client_id), 'text/html; charset=utf-8');
  }
  if (req.method === 'POST' && action === 'login') {
    const form = new URLSearchParams(await readBody(req));
    const user = findUser(form.get('login'));
    if (!user) {
      const error = `No test user "${form.get('login') ?? ''}": use one listed below.`;
      return send(res, 200, loginPage(uid, details.params.client_id, error), 'text/html; charset=utf-8');
    }
    return provider.interactionFinished(req, res, { login: { accountId: user.sub } }, {
      mergeWithLastSubmission: false,
    });
  }
  if (req.method === 'POST' && action === 'abort') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'The person cancelled the sign-in.',
    }, { mergeWithLastSubmission: false });
  }
  return send(res, 404, 'Not found');
}

async function admin(req, res, path) {
  if (!adminToken || req.headers.authorization !== `Bearer ${adminToken}`) {
    return send(res, 401, 'Give the admin token as a Bearer token.');
  }
  const body = JSON.parse((await readBody(req)) || 'null');
  const redirect = path.match(/^\/_test\/clients\/([^/]+)\/redirect_uris$/);
  if (req.method === 'PUT' && redirect) {
    const client = clients.get(decodeURIComponent(redirect[1]));
    if (!client) return send(res, 404, 'No such client.');
    client.redirect_uris = body;
    return send(res, 200, JSON.stringify(client), 'application/json');
  }
  if (req.method === 'PUT' && path === '/_test/users') {
    users.set(body.sub, body);
    return send(res, 200, JSON.stringify(body), 'application/json');
  }
  return send(res, 404, 'Not found');
}

let provider;
let handle;
const server = http.createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  try {
    if (path.startsWith('/interaction/')) return await interaction(provider, req, res, path);
    if (path.startsWith('/_test/')) return await admin(req, res, path);
    return handle(req, res);
  } catch (error) {
    console.error(error);
    if (!res.headersSent) send(res, 500, String(error?.message ?? error));
  }
});

server.listen(port, '127.0.0.1', () => {
  const actualPort = server.address().port;
  const issuer = `http://127.0.0.1:${actualPort}`;
  const signingKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  provider = new Provider(issuer, {
    adapter: MemoryAdapter,
    jwks: { keys: [{ ...signingKey.export({ format: 'jwk' }), use: 'sig', kid: 'test-rs256', alg: 'RS256' }] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub', 'groups', 'roles'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'locale'],
      groups: ['groups', 'roles'],
    },
    // The claims of the granted scopes go into the id token too (as Entra ID and Keycloak do),
    // not only into userinfo: the console reads `groups` from the id token.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    // Consent is granted at once for the scopes and claims asked for: the console is the
    // county's own application, and a consent page would only be one more click in every test.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        const grant = await ctx.oidc.provider.Grant.find(grantId);
        if (grant) return grant;
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(ctx.oidc.params.scope ?? 'openid');
      const requested = ctx.oidc.claims ?? {};
      const claims = [...Object.keys(requested.id_token ?? {}), ...Object.keys(requested.userinfo ?? {})];
      if (claims.length) grant.addOIDCClaims(claims);
      await grant.save();
      return grant;
    },
    async findAccount(ctx, id) {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        async claims() {
          return { email_verified: true, groups: [], roles: [], ...user };
        },
      };
    },
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    renderError(ctx, out) {
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = `${out.error}: ${out.error_description ?? ''}\n`;
    },
  });
  handle = provider.callback();
  provider.on('server_error', (ctx, error) => console.error('server_error', error));
  process.stdout.write(`READY ${JSON.stringify({ issuer, port: actualPort })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.closeAllConnections();
    process.exit(0);
  });
}
