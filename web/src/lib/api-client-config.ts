/**
 * The generated client's initial configuration (openapi-ts `runtimeConfigPath`): same origin,
 * cookies sent, errors thrown. The interceptors (CSRF header, readable errors, 401) are added
 * by `api-client.ts`.
 */
import type { CreateClientConfig } from '@/client/client.gen';

export const createClientConfig: CreateClientConfig = (config) => ({
  ...config,
  baseUrl: typeof window === 'undefined' ? '' : window.location.origin,
  credentials: 'same-origin',
  throwOnError: true,
});
