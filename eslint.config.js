// ESLint: typescript-eslint strictTypeChecked (docs/../CONVENTIONS: no-floating-promises,
// switch-exhaustiveness-check, consistent-type-imports), React hooks, and the domain rule:
// a server domain is imported only through its index.ts.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'web/node_modules/**', 'web/dist/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['vitest.config.ts', 'web/vite.config.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // Numbers and booleans read fine in messages; objects and undefined are still refused.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // noUncheckedIndexedAccess makes `xs[i]!` after a bounds check the honest idiom here.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A `default:` branch is how this code handles values from newer peers (protocol versions).
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Off, with reasons. Types here describe *validated* data; checks against what arrives on
      // the wire (a version field, a peer's optional value) stay even where the type says they
      // cannot fail, and `Number()` stays around database values that pg returns as strings.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
      // Fastify plugins are async functions by contract, with or without an await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // CONVENTIONS: a domain is used through its index.ts only (tests may reach inside).
    files: ['server/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\.?/(\\.\\./)*(accounts|cluster|config|geo|http|media|meetings|policy|signaling|storage|transparency)/(?!index\\.js$).+',
              message: 'Import another domain through its index.ts (CONVENTIONS: one index.ts per domain).',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read untyped JSON (HTTP bodies, WebSocket frames) and poke at it.
    files: ['test/**/*.ts', '**/*.test.ts', '**/*.test.tsx', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      // expect(mock.method) and prototype patching in benches.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Kysely's documented migration signature takes Kysely<any>: a migration must not depend on today's schema type.
    files: ['server/storage/migrations/**/*.ts', 'server/storage/migrate.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
      },
    },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      // Hook results (useAuth, useTranslation, media controls) are objects of arrow functions.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
