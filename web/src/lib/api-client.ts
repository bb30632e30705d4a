/**
 * The generated client, configured once for the dashboard.
 *
 * - same origin, cookies sent (`credentials: 'same-origin'`): the session cookie is httpOnly
 *   and never read here; nothing is ever put in localStorage or sessionStorage;
 * - writes (POST/PUT/PATCH/DELETE) carry `X-CSRF-Token`, the value of the readable
 *   `scoreline_csrf` cookie (double-submit);
 * - an error answer becomes an `ApiError` whose message a person can read;
 * - a 401 outside `/auth/*` calls the unauthorized handler (the app sends the user to sign in).
 */
import { client } from '@/client/client.gen';

export { client };

export const CSRF_COOKIE = 'scoreline_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ErrorDetailItem {
  loc?: (string | number)[];
  msg: string;
  type?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly detail: unknown;

  constructor(message: string, status: number, detail: unknown = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
  }
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}

export function readCookie(name: string): string | null {
  const prefix = `${name}=`;
  for (const part of document.cookie.split(';')) {
    const item = part.trim();
    if (item.startsWith(prefix)) return decodeURIComponent(item.slice(prefix.length));
  }
  return null;
}

const LOCATION_PREFIXES = new Set(['body', 'query', 'path', 'header', 'cookie']);

function describeItem(item: ErrorDetailItem): string {
  const where = (item.loc ?? []).filter(
    (part, index) => !(index === 0 && typeof part === 'string' && LOCATION_PREFIXES.has(part)),
  );
  return where.length > 0 ? `${where.join('.')}: ${item.msg}` : item.msg;
}

function isDetailItem(value: unknown): value is ErrorDetailItem {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { msg?: unknown }).msg === 'string'
  );
}

/** A readable message from the API's error body: `{"detail": [{loc, msg, type}]}`, a string, or text. */
export function errorMessage(body: unknown, status: number): string {
  if (typeof body === 'object' && body !== null && 'detail' in body) {
    const detail = (body).detail;
    if (typeof detail === 'string' && detail) return detail;
    if (Array.isArray(detail)) {
      const parts = detail.filter(isDetailItem).map(describeItem);
      if (parts.length > 0) return parts.join('; ');
    }
  }
  if (typeof body === 'string' && body.trim() && body.length < 300 && !body.includes('<')) {
    return body.trim();
  }
  return defaultMessage(status);
}

function defaultMessage(status: number): string {
  if (status === 401) return 'You are not signed in.';
  if (status === 403) return 'You do not have permission to do that.';
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many requests; wait a moment and try again.';
  if (status >= 500) return `The server failed (HTTP ${status}); try again later.`;
  return `Request failed (HTTP ${status}).`;
}

type UnauthorizedHandler = () => void;

function defaultUnauthorized(): void {
  if (window.location.pathname === '/sign-in') return;
  const next = `${window.location.pathname}${window.location.search}`;
  window.location.assign(`/sign-in?next=${encodeURIComponent(next)}`);
}

let onUnauthorized: UnauthorizedHandler = defaultUnauthorized;

/** The app replaces the full-page redirect with a router navigation. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler | null): void {
  onUnauthorized = handler ?? defaultUnauthorized;
}

function isAuthRoute(url: string): boolean {
  return new URL(url, window.location.origin).pathname.startsWith('/api/v1/auth/');
}

let configured = false;

/** Configure the shared client; idempotent (tests and main both call it). */
export function configureApiClient(): void {
  if (configured) return;
  configured = true;
  client.interceptors.request.use((request) => {
    if (!SAFE_METHODS.has(request.method.toUpperCase())) {
      const token = readCookie(CSRF_COOKIE);
      if (token) request.headers.set(CSRF_HEADER, token);
    }
    return request;
  });
  client.interceptors.error.use((error, response, request) => {
    if (error instanceof ApiError) return error;
    if (!response) {
      const reason = error instanceof Error ? error.message : String(error);
      return new ApiError(`Could not reach the server (${reason}).`, 0, null);
    }
    if (response.status === 401 && !isAuthRoute(request.url)) onUnauthorized();
    return new ApiError(errorMessage(error, response.status), response.status, error);
  });
}

configureApiClient();

/**
 * A 422's messages by the form field they name: a validation error's `loc` ends with the
 * field; a domain error names it first in its message ("webhook_url must be an http://...",
 * several joined by "; "). What names no field of `fields` is left in `other`.
 */
export function fieldErrors<F extends string>(
  error: unknown,
  fields: readonly F[],
): { byField: Partial<Record<F, string>>; other: string[] } {
  const byField: Partial<Record<F, string>> = {};
  const other: string[] = [];
  const known = new Set<string>(fields);
  const add = (field: string | undefined, message: string): void => {
    if (field !== undefined && known.has(field)) {
      const key = field as F;
      byField[key] = byField[key] ? `${byField[key]}; ${message}` : message;
    } else other.push(message);
  };
  if (!isApiError(error)) {
    if (error instanceof Error) other.push(error.message);
    return { byField, other };
  }
  const body = error.detail;
  const detail = typeof body === 'object' && body !== null && 'detail' in body ? body.detail : null;
  if (!Array.isArray(detail)) return { byField, other: [error.message] };
  for (const item of detail.filter(isDetailItem)) {
    const last = item.loc?.[item.loc.length - 1];
    if (typeof last === 'string' && known.has(last)) {
      add(last, item.msg);
      continue;
    }
    for (const part of item.msg.split('; ')) {
      const named = /^(\w+) (.+)$/.exec(part);
      if (named && known.has(named[1] ?? '')) add(named[1], named[2] ?? part);
      else add(undefined, part);
    }
  }
  return { byField, other };
}
