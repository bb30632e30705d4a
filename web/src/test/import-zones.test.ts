/**
 * The import zones of eslint.config.js, proven to bite: snippets linted as if they sat in a feature
 * (or in shared code) with the project's own ESLint config.
 */
import { ESLint } from 'eslint';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// A path string, not a URL object: under jsdom the global URL is not the one node:url expects.
const webRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const features = readdirSync(join(webRoot, 'src', 'features'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const ZONE_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax']);

let eslint: ESLint;

beforeAll(() => {
  // Import rules need no type information, and the snippets are not files on disk.
  eslint = new ESLint({
    cwd: webRoot,
    overrideConfig: tseslint.configs.disableTypeChecked as ESLint.Options['overrideConfig'],
  });
});

/** Zone messages for `code` linted as if it were the file at `filePath` (relative to web/). */
async function zoneErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  expect(result?.fatalErrorCount).toBe(0);
  return (result?.messages ?? []).filter((m) => m.ruleId !== null && ZONE_RULES.has(m.ruleId)).map((m) => m.message);
}

const probe = (feature: string) => `src/features/${feature}/components/zone-probe.tsx`;

describe('import zones', () => {
  it('finds the feature folders', () => {
    expect(features.length).toBeGreaterThanOrEqual(2);
  });

  it.each(features)('the %s feature may not import any other feature', async (feature) => {
    const others = features.filter((name) => name !== feature);
    const code = others.map((name, i) => `export { x${i} } from '@/features/${name}/api/zone-probe';`).join('\n');
    const errors = await zoneErrors(probe(feature), code);
    expect(errors).toHaveLength(others.length);
    for (const message of errors) expect(message).toContain(`"${feature}" feature must not import another feature`);
  });

  it.each(features)('the %s feature may import itself and shared code', async (feature) => {
    const code = [
      `import { a } from '@/features/${feature}/api/zone-probe';`,
      "import { b } from './zone-probe-sibling';",
      "import { c } from '@/lib/format';",
      "import { d } from '@/components/ui/button';",
      "import { e } from '@/client/sdk.gen';",
      `export const f = () => import('@/features/${feature}/api/zone-probe');`,
      'export { a, b, c, d, e };',
    ].join('\n');
    expect(await zoneErrors(probe(feature), code)).toEqual([]);
  });

  const [first = '', second = ''] = features;

  it('catches a type-only import and a dynamic import() of another feature', async () => {
    const code = [
      `import type { T } from '@/features/${second}/api/zone-probe';`,
      `export const load = () => import('@/features/${second}/api/zone-probe');`,
      'export type { T };',
    ].join('\n');
    expect(await zoneErrors(probe(first), code)).toHaveLength(2);
  });

  it('allows no climbing relative path, so none can reach another feature', async () => {
    const code = [
      `import { a } from '../../${second}/api/zone-probe';`,
      "import { b } from './../api/zone-probe';",
      'export { a, b };',
    ].join('\n');
    const errors = await zoneErrors(probe(first), code);
    expect(errors).toHaveLength(2);
    for (const message of errors) expect(message).toContain('`@/` alias');
  });

  it.each(['src/lib/zone-probe.ts', 'src/components/zone-probe.tsx', 'src/test/zone-probe.ts'])(
    'shared code (%s) may import neither a feature nor the app',
    async (filePath) => {
      const code = [
        `import { a } from '@/features/${first}/api/zone-probe';`,
        "import { b } from '@/app/theme';",
        'export { a, b };',
      ].join('\n');
      expect(await zoneErrors(filePath, code)).toHaveLength(2);
    },
  );

  it('features may not import the app; the app wires features together', async () => {
    const fromFeature = "import { a } from '@/app/theme';\nexport { a };";
    expect(await zoneErrors(probe(first), fromFeature)).toHaveLength(1);
    const fromApp = features.map((name, i) => `export { x${i} } from '@/features/${name}/api/zone-probe';`).join('\n');
    expect(await zoneErrors('src/app/routes/zone-probe.tsx', fromApp)).toEqual([]);
  });
});
