import { defineConfig } from '@hey-api/openapi-ts';

// Types and SDK functions come from the gateway's OpenAPI document, never by hand.
// Refresh the document with `cd .. && .venv/bin/scoreline openapi --output web/openapi.json`.
export default defineConfig({
  input: 'openapi.json',
  output: { path: 'src/client', postProcess: [] },
  plugins: [
    {
      name: '@hey-api/client-fetch',
      baseUrl: false,
      throwOnError: true,
      // same origin and cookies from the start; api-client.ts adds the interceptors
      runtimeConfigPath: '../lib/api-client-config',
    },
    '@hey-api/typescript',
    { name: '@hey-api/sdk' },
  ],
});
