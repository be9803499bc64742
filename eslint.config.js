// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layersPlugin } from './eslint-layers.js';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'bench/results/**'] },
  js.configs.recommended,
  // Type-checked: the rules below need the types (deprecated calls, promises left floating, switches that miss a case).
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-deprecated': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      'no-console': 'error',
    },
  },
  {
    // The worker reaches Discord through REST only: importing discord.js there loads the whole gateway
    // client (about 20 MiB resident). Its parts come from @discordjs/rest, discord-api-types and
    // @discordjs/formatters, which discord.js itself re-exports.
    files: [
      'src/worker/**',
      'src/services/**',
      'src/views/**',
      'src/comfyui/**',
      'src/agents/**',
      'src/db/**',
      'src/queue/**',
      'src/domain/**',
      'src/ops/**',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'discord.js',
              allowTypeImports: true,
              message: 'Code the worker loads imports @discordjs/rest, discord-api-types/v10 or @discordjs/formatters instead.',
            },
          ],
        },
      ],
    },
  },
  {
    // What each folder may import, from README's Layout table (eslint-layers.js).
    files: ['src/**/*.ts', 'commands/**/*.ts'],
    plugins: { layers: layersPlugin },
    rules: { 'layers/allowed-imports': 'error' },
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
  {
    // vitest's asymmetric matchers (expect.stringMatching, expect.any…) are typed `any` by vitest itself.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    // Plain JavaScript config files are outside the TypeScript project.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
