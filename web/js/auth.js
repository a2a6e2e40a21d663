// Who is signed in. Two ways, chosen by config.json's auth.mode:
//  * "local": the local stack's POST /_local/token with a demo user's claims (GET /_local/users);
//  * "cognito": the Cognito hosted UI, authorization code flow with PKCE; the ID token (it carries
//    the sub, email, name and zoneinfo claims the API reads) is the bearer token.
// The session lives in sessionStorage: one per tab, gone when the tab closes.

const STORAGE_KEY = 'mentor-booking.session';
const PKCE_KEY = 'mentor-booking.pkce';

export function decodeJwtPayload(token) {
  const part = String(token).split('.')[1];
  if (!part) throw new Error('not a JWT');
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function sessionFromToken(token, extra = {}) {
  const claims = decodeJwtPayload(token);
  return {
    token,
    expiresAt: claims.exp ? claims.exp * 1000 : null,
    user: {
      sub: claims.sub,
      email: claims.email,
      name: claims.name || claims.email || claims.sub,
      zoneinfo: claims.zoneinfo || null,
      ...extra,
    },
  };
}

export function loadSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
    if (!session?.token) return null;
    if (session.expiresAt && session.expiresAt <= Date.now()) {
      sessionStorage.removeItem(STORAGE_KEY);
      return null;
    }
    return session;
  } catch {
    return null;
  }
}

function saveSession(session) {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  return session;
}

export function clearSession() {
  sessionStorage.removeItem(STORAGE_KEY);
}

// ------------------------------------------------------------------ local stack

export async function listLocalUsers(api) {
  const answer = await api.get('/_local/users', { auth: false });
  return answer.users || [];
}

export async function signInLocal(api, claims, role = null) {
  const body = { sub: claims.sub, email: claims.email, name: claims.name };
  if (claims.zoneinfo) body.zoneinfo = claims.zoneinfo;
  const { token } = await api.post('/_local/token', body, { auth: false });
  return saveSession(sessionFromToken(token, { role }));
}

// ------------------------------------------------------------------ Cognito hosted UI

function base64Url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function randomText(length = 48) {
  return base64Url(crypto.getRandomValues(new Uint8Array(length)));
}

/** Where the hosted UI sends the browser back to: this page, without query or hash. */
export function redirectUri() {
  return `${window.location.origin}${window.location.pathname}`;
}

function hostedUiBase(auth) {
  const domain = String(auth.domain || '').replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (!domain || !auth.clientId) throw new Error('config.json: auth.domain and auth.clientId are needed for Cognito sign-in');
  return `https://${domain}`;
}

export async function startHostedUi(auth, returnTo = window.location.hash) {
  const verifier = randomText();
  const state = randomText(16);
  const challenge = base64Url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, returnTo }));
  const url = new URL(`${hostedUiBase(auth)}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: auth.clientId,
    redirect_uri: redirectUri(),
    scope: auth.scope || 'openid email profile',
    state,
    code_challenge_method: 'S256',
    code_challenge: challenge,
  }).toString();
  window.location.assign(url.toString());
}

/**
 * Back from the hosted UI with ?code=&state=: exchange the code for tokens, keep the ID token,
 * and clean the address bar. Returns {session, returnTo} or null when this is not a callback.
 */
export async function completeHostedUi(auth) {
  const params = new URLSearchParams(window.location.search);
  if (!params.has('code') && !params.has('error')) return null;
  const pending = JSON.parse(sessionStorage.getItem(PKCE_KEY) || 'null');
  sessionStorage.removeItem(PKCE_KEY);
  window.history.replaceState(null, '', redirectUri() + (pending?.returnTo || ''));
  if (params.has('error')) {
    throw new Error(`Sign-in failed: ${params.get('error_description') || params.get('error')}`);
  }
  if (!pending || pending.state !== params.get('state')) {
    throw new Error('Sign-in failed: the answer does not belong to a sign-in started here. Try again.');
  }
  const response = await fetch(`${hostedUiBase(auth)}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: auth.clientId,
      code: params.get('code'),
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  const tokens = await response.json().catch(() => ({}));
  if (!response.ok || !tokens.id_token) {
    throw new Error(`Sign-in failed: ${tokens.error_description || tokens.error || response.status}`);
  }
  return { session: saveSession(sessionFromToken(tokens.id_token)), returnTo: pending.returnTo };
}

export function hostedUiLogoutUrl(auth) {
  const url = new URL(`${hostedUiBase(auth)}/logout`);
  url.search = new URLSearchParams({ client_id: auth.clientId, logout_uri: redirectUri() }).toString();
  return url.toString();
}
