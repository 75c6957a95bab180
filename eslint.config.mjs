// @ts-check
// `npm run lint` (part of `npm test`): typescript-eslint's strict type-checked rules over every
// TypeScript and JavaScript file of the project. The few options set below are choices of this
// code base, each with its reason; nothing else is switched off.
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', '.build/', '.esbuild/', '.serverless/', 'bench/.build/', 'bench/results/', 'coverage/'] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers in messages ("3 files", "exit 78") are the commonest template of all; what the
      // rule is for (objects, undefined, null printed as text) stays forbidden.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `(x) => void stream.on(...)` style is not used; an arrow that returns a void call is.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // A name starting with "_" is unused on purpose: a loop that only counts (`for (const _ of
      // rows)`), a key left out of a rest copy (`{ pool: _pool, ...rest }`), a parameter that a
      // signature requires. Any other unused name is still an error.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The rule catches control characters typed into a pattern by accident; here every one is
      // there on purpose: configuration names, prefixes and paths are checked for them.
      'no-control-regex': 'off',
    },
  },
  {
    // A CommonJS file (esbuild.options.cjs: serverless-esbuild loads its config with `require`)
    // has no other way to import.
    files: ['**/*.cjs'],
    languageOptions: { globals: globals.commonjs },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
