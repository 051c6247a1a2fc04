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
      // only the etcd lib imports etcd3, backends never pull etcd in.
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
          ],
        },
      ],
    },
  },
];
