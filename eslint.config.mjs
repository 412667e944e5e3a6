// Lint rules that protect correctness, not taste: floating promises lose errors, and workflow code must stay
// deterministic (no Node built-ins; Temporal's bundler would reject them at worker start anyway).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', '.tools/**', 'test-results/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's describe/test return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'no-console': 'off',
      // Fastify plugins and handlers are async by contract even when they await nothing.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must be deterministic: no Node built-ins.' })),
          patterns: [
            { group: ['../activities/*', '../api/*', '../paypal/client*', '../simulator/*', '../temporal/*'], message: 'Workflows import activities as types only, and no I/O modules.', allowTypeImports: true },
          ],
        },
      ],
      // The worker evaluates these modules once and shares them between runs (WORKFLOW_PRELOAD_MODULES in
      // src/temporal/worker.ts): state at module scope would leak from one order's run into another's.
      'no-restricted-syntax': [
        'error',
        ...['Program > VariableDeclaration[kind!="const"]', 'Program > ExportNamedDeclaration > VariableDeclaration[kind!="const"]'].map((selector) => ({
          selector,
          message: 'No `let`/`var` at module scope in workflow code: modules are shared between runs (preloaded).',
        })),
        ...['Program > VariableDeclaration > VariableDeclarator > NewExpression', 'Program > ExportNamedDeclaration > VariableDeclaration > VariableDeclarator > NewExpression'].map((selector) => ({
          selector,
          message: 'No objects built with `new` at module scope in workflow code: modules are shared between runs (preloaded).',
        })),
      ],
    },
  },
  {
    // The benches' own workflows are bundled and sandboxed like the product's.
    files: ['bench/*-workflow.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must be deterministic: no Node built-ins.' })) }],
    },
  },
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
