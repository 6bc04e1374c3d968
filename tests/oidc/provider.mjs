// A real OpenID Connect provider for the tests of the DigiD broker login: panva's certified
// oidc-provider, with one confidential client and a login page without a real UI. Test-only:
// never shipped, never reachable from outside 127.0.0.1.
//
// Configured by environment (defaults in brackets):
//   OIDC_PORT                      port on 127.0.0.1 (required)
//   OIDC_ISSUER                    [http://127.0.0.1:<port>]
//   OIDC_CLIENT_ID                 [verhuizen]
//   OIDC_CLIENT_SECRET             [geheim-van-de-test]
//   OIDC_CLIENT_AUTH               token endpoint auth method [client_secret_basic]
//   OIDC_REDIRECT_URIS             comma separated (required)
//   OIDC_POST_LOGOUT_REDIRECT_URIS comma separated [none]
//   OIDC_SUB                       the sub it issues, with the broker's sector prefix
//                                  [s00000000:999990007]
//   OIDC_ACR                       the acr it issues
//                                  [urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract]
//   OIDC_ID_TOKEN_TTL              seconds [600]
//
// Logging in: GET /interaction/<uid> shows a form with the fields `sub` and `acr` (filled in
// with the defaults above); POST /interaction/<uid>/login takes them, so a test logs in as any
// test person at any level. Its optional field `nonce` makes the provider misbehave: the ID
// token then carries that nonce instead of the one the client sent. POST
// /interaction/<uid>/abort is the resident pressing "Annuleren" (error=access_denied).
import { generateKeyPairSync, randomUUID } from 'node:crypto';

import Provider from 'oidc-provider';

const env = process.env;
const port = Number(env.OIDC_PORT);
if (!port) {
  console.error('OIDC_PORT is required');
  process.exit(2);
}
const issuer = env.OIDC_ISSUER || `http://127.0.0.1:${port}`;
const list = (value) => (value || '').split(',').map((v) => v.trim()).filter(Boolean);
const defaults = {
  sub: env.OIDC_SUB || 's00000000:999990007',
  acr: env.OIDC_ACR || 'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract',
};
const acrValues = [
  'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI',
];

// A fresh signing key each start (its own kid), so a restart is a key rotation.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };

const configuration = {
  clients: [
    {
      client_id: env.OIDC_CLIENT_ID || 'verhuizen',
      client_secret: env.OIDC_CLIENT_SECRET || 'geheim-van-de-test',
      token_endpoint_auth_method: env.OIDC_CLIENT_AUTH || 'client_secret_basic',
      redirect_uris: list(env.OIDC_REDIRECT_URIS),
      post_logout_redirect_uris: list(env.OIDC_POST_LOGOUT_REDIRECT_URIS),
      response_types: ['code'],
      grant_types: ['authorization_code'],
    },
  ],
  jwks: { keys: [signingKey] },
  acrValues,
  pkce: { required: () => true },
  ttl: { IdToken: Number(env.OIDC_ID_TOKEN_TTL || 600) },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  cookies: { keys: [randomUUID()] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    return { accountId: id, claims: async () => ({ sub: id }) };
  },
  // A broker asks no consent for the gemeente's own service: grant what was asked.
  async loadExistingGrant(ctx) {
    const clientId = ctx.oidc.client.clientId;
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(clientId);
    if (grantId) {
      const found = await ctx.oidc.provider.Grant.find(grantId);
      if (found) return found;
    }
    const grant = new ctx.oidc.provider.Grant({ clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
    await grant.save();
    return grant;
  },
};

const provider = new Provider(issuer, configuration);

const escape = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// The login "UI": one form, no password; any sub and acr the test asks for.
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([^/]+)(\/login|\/abort)?$/.exec(ctx.path);
  if (!match) {
    await next();
    return;
  }
  const interaction = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET' && !match[2]) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Testmakelaar</title></head>
<body><main><h1>Inloggen bij de testmakelaar</h1>
<form method="post" action="/interaction/${escape(interaction.uid)}/login">
<label for="sub">sub</label> <input id="sub" name="sub" value="${escape(defaults.sub)}">
<label for="acr">acr</label> <input id="acr" name="acr" value="${escape(defaults.acr)}">
<button type="submit">Inloggen bij de testmakelaar</button>
</form>
<form method="post" action="/interaction/${escape(interaction.uid)}/abort"><button type="submit">Annuleren</button></form>
</main></body></html>`;
    return;
  }
  if (ctx.method === 'POST' && match[2] === '/abort') {
    const result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(returnTo);
    return;
  }
  if (ctx.method === 'POST' && match[2] === '/login') {
    const form = await readForm(ctx.req);
    if (form.get('nonce')) {
      interaction.params.nonce = form.get('nonce');
      await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
    }
    const login = { accountId: form.get('sub') || defaults.sub, acr: form.get('acr') || defaults.acr };
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, { login }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(returnTo);
    return;
  }
  ctx.status = 405;
});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
