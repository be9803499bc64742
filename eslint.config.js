// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // Command-line entry points and the demo talk to a person on the terminal.
    files: ['loopback/demo.ts', 'src/db/migrate-cli.ts', 'src/deploy-commands.ts', 'src/config/load-config.ts', 'bench/**', 'src/cli/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Migrations operate on the database before the application's types exist.
    files: ['migrations/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
