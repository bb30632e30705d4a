import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';

import { whenIdle } from './session';

function slowQuery(client: QueryClient, ms: number): Promise<unknown> {
  return client.fetchQuery({
    queryKey: ['slow', ms],
    queryFn: () => new Promise((resolve) => setTimeout(() => resolve(ms), ms)),
  });
}

describe('whenIdle', () => {
  it('waits for the requests in flight before the session closes', async () => {
    const client = new QueryClient();
    let landed = false;
    void slowQuery(client, 120).then(() => {
      landed = true;
    });
    expect(client.isFetching()).toBe(1);
    await whenIdle(client);
    expect(landed).toBe(true);
    expect(client.isFetching()).toBe(0);
  });

  it('gives up after its limit rather than keeping the user signed in', { timeout: 10_000 }, async () => {
    const client = new QueryClient();
    const pending = slowQuery(client, 3000);
    const started = Date.now();
    await whenIdle(client, 100);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(100);
    expect(waited).toBeLessThan(2900);
    expect(client.isFetching()).toBe(1);
    await pending;
  });
});
