import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'circuits/build/**', 'circuits/artifacts/**', 'network/.bin/**', 'network/.run/**', 'coverage/**', 'gateway-api/data/**', 'gateway-api/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      // Untyped libraries (snarkjs, ffjavascript) and test fixtures need `any` at their edges.
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  { files: ['**/*.test.ts', 'tests/**', '**/testing/**'], rules: { '@typescript-eslint/no-this-alias': 'off' } },
);
