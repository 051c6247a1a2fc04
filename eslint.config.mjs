import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/dist/**', '**/build/**', '**/node_modules/**', '**/*.mjs', '**/*.cjs', '**/bin/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The README's architecture, made real: apps -> libs only, libs never import apps,
      // only the etcd lib imports etcd3, backends never pull etcd in, pure libs (logic only: no
      // kernel, etcd, firewall or process lib) build on pure libs alone.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'etcd:no', bannedExternalImports: ['etcd3', '@grpc/*'] },
            { sourceTag: 'role:backend', notDependOnLibsWithTags: ['etcd:yes'] },
            // layer:testing is for their tests; the rule below keeps it out of their code.
            { sourceTag: 'layer:pure', onlyDependOnLibsWithTags: ['layer:pure', 'layer:testing'] },
          ],
        },
      ],
    },
  },
  {
    // The test harness (etcd launcher, namespace lab, fake servers) is for tests and tools only. Nx
    // tags see projects, not files, so this rule tells a project's tests from its code.
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'libs/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@flannel-ts/testing', message: 'libs/testing is for tests (*.test.ts, test/) and tools only.' }],
          patterns: [{ group: ['**/libs/testing/**'], message: 'libs/testing is for tests (*.test.ts, test/) and tools only.' }],
        },
      ],
    },
  },
];
