import js from '@eslint/js';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { readdirSync } from 'node:fs';
import tseslint from 'typescript-eslint';

// Import zones (bulletproof-react). `@/x` is `src/x`. Dependencies point one way:
// shared code (src/components, src/lib, src/test, the generated src/client) -> features -> src/app.
// A feature (src/features/<name>/) never imports another feature, and shared code never imports a
// feature or the app; src/app wires features together. Every feature folder gets its own block,
// generated from the folder list, so a new feature is fenced in without editing this file.
const features = readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// A relative path that climbs (`..`) could reach any folder, so none is allowed: use `@/`.
const climbing = {
  regex: '(^|/)\\.\\.(/|$)',
  message: 'Import from another folder through the `@/` alias (`@/lib/format`), not `../`.',
};
const anyFeature = {
  regex: '^@/features(/|$)',
  message: 'Shared code must not import a feature: move what both need into src/lib or src/components.',
};
const theApp = {
  regex: '^@/app(/|$)',
  message: 'Only src/app wires the app together; features and shared code never import it.',
};
const otherFeature = (name) => ({
  regex: `^@/features/(?!${escapeRegex(name)}(/|$))`,
  message:
    `The "${name}" feature must not import another feature: move the shared piece into src/lib or ` +
    'src/components, or wire the two together in src/app.',
});

// no-restricted-imports sees import/export declarations only; `import()` goes through the same
// patterns via no-restricted-syntax. esquery regexes cannot contain a bare `/`, hence \x2F.
const dynamicImportBans = (patterns) =>
  patterns.map(({ regex, message }) => ({
    selector: `ImportExpression > Literal.source[value=/${regex.replaceAll('/', '\\x2F')}/]`,
    message,
  }));

// A later block replaces an earlier block's options for the same rule, so each block carries the
// full list of patterns for its files.
const restrictImports = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
  'no-restricted-syntax': ['error', ...dynamicImportBans(patterns)],
});

const zones = [
  { files: ['src/**/*.{ts,tsx}'], rules: restrictImports([climbing]) },
  {
    files: ['src/components/**/*.{ts,tsx}', 'src/lib/**/*.{ts,tsx}', 'src/test/**/*.{ts,tsx}'],
    rules: restrictImports([climbing, anyFeature, theApp]),
  },
  ...features.map((name) => ({
    files: [`src/features/${name}/**/*.{ts,tsx}`],
    rules: restrictImports([climbing, otherFeature(name), theApp]),
  })),
];

export default tseslint.config(
  // The generated client is regenerated, not edited: linting it would only report the generator.
  { ignores: ['dist', 'node_modules', 'src/client'] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      ecmaVersion: 2022,
      globals: globals.browser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'react-hooks': reactHooks, 'jsx-a11y': jsxA11y },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...jsxA11y.flatConfigs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  ...zones,
  {
    // expect.objectContaining() and friends are typed `any` by design.
    files: ['src/**/*.test.{ts,tsx}', 'src/test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['*.config.ts', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
  { files: ['eslint.config.js'], extends: [tseslint.configs.disableTypeChecked] },
);
