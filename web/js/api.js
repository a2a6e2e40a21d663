// The HTTP API client: JSON in and out, the bearer token, Idempotency-Key, and the contract's
// error shape {"error": {"code", "message", "details"?}} turned into an ApiError.

export class ApiError extends Error {
  constructor(status, code, message, details = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** A random key for a request that may be retried (POST /bookings, POST .../confirm). */
export function newIdempotencyKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * One key per distinct request body: a retry of the same request (a double click, a timeout)
 * replays it; a different body gets a new key, so it is never mistaken for a replay.
 */
export class IdempotencyKeys {
  constructor() {
    this.keys = new Map();
  }

  for(scope, body) {
    const id = `${scope} ${JSON.stringify(body)}`;
    if (!this.keys.has(id)) this.keys.set(id, newIdempotencyKey());
    return this.keys.get(id);
  }
}

export function createApi({ baseUrl = '', getToken = () => null, onUnauthorized = () => {} } = {}) {
  const base = String(baseUrl || '').replace(/\/+$/, '');

  async function request(method, path, { query, body, idempotencyKey, auth = true } = {}) {
    const url = new URL(base + path, window.location.href);
    for (const [name, value] of Object.entries(query || {})) {
      if (value !== null && value !== undefined && value !== '') url.searchParams.set(name, String(value));
    }
    const headers = { Accept: 'application/json' };
    const token = auth ? getToken() : null;
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;

    let response;
    try {
      // The public reads may be cached (Cache-Control max-age, with an ETag): the client always
      // revalidates, so a slot just taken shows at once while an unchanged answer is a bodiless 304.
      response = await fetch(url, {
        method,
        headers,
        cache: 'no-cache',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (cause) {
      throw new ApiError(0, 'network_error', `Could not reach the API at ${url.origin}. Check your connection and try again.`);
    }
    if (response.status === 204) return null;
    const text = await response.text();
    let payload = null;
    try {
      payload = text ? JSON.parse(text) : null;
    } catch {
      payload = null;
    }
    if (response.ok) return payload;
    const error = payload && typeof payload === 'object' ? payload.error : null;
    const apiError = error?.code
      ? new ApiError(response.status, error.code, error.message || error.code, error.details || [])
      : new ApiError(response.status, `http_${response.status}`, `The API answered ${response.status} ${response.statusText}.`);
    if (response.status === 401 && token) onUnauthorized(apiError);
    throw apiError;
  }

  return {
    base,
    get: (path, options) => request('GET', path, options),
    post: (path, body, options = {}) => request('POST', path, { ...options, body }),
    put: (path, body, options = {}) => request('PUT', path, { ...options, body }),
    delete: (path, options) => request('DELETE', path, options),
    request,
  };
}

export const enc = encodeURIComponent;

/** The answer of a request, or null when it is a 404 (a profile or schedule not created yet). */
export async function nullIfNotFound(request) {
  try {
    return await request;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}
