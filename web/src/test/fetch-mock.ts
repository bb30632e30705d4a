/** A fetch stand-in keyed by "METHOD /path": the boundary the generated client talks to. */
import { vi } from 'vitest';

export type Handler = (request: Request, url: URL) => unknown;

export interface FetchCall {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

export function json(body: unknown, status = 200): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: status === 204 ? {} : { 'Content-Type': 'application/json' },
  });
}

export function mockFetch(routes: Record<string, Handler | object>) {
  const calls: FetchCall[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const body = await request.clone().text();
    calls.push({ method: request.method, url, headers: request.headers, body });
    const route = routes[`${request.method} ${url.pathname}`];
    if (route === undefined) return json({ detail: `no mock for ${request.method} ${url.pathname}` }, 404);
    const answer = typeof route === 'function' ? await (route as Handler)(request, url) : route;
    return answer instanceof Response ? answer : json(answer);
  });
  vi.stubGlobal('fetch', fetchMock);
  return {
    calls,
    fetchMock,
    callsTo: (method: string, path: string) =>
      calls.filter((call) => call.method === method && call.url.pathname === path),
  };
}
