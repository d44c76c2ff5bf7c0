import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Generated files are not linted: dist/ by ncc, the alias catalog by scripts/build-aliases.js, the
  // standalone validators by scripts/generate-validators.js.
  {
    ignores: [
      'dist/**',
      'build/**',
      'node_modules/**',
      'coverage/**',
      '.bench-build/**',
      'src/engine/aliases.data.ts',
      'src/rules/validators.generated.ts',
      'src/rules/ruleTextCache.generated.ts'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@azure/*'], message: 'Only src/azure/ talks to Azure.' }] }
      ]
    }
  },
  { files: ['src/azure/**'], rules: { 'no-restricted-imports': 'off' } },
  { files: ['scripts/**/*.js', '*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  {
    // Stand-ins for external programs that tests put on PATH: plain Node scripts, CommonJS.
    files: ['__tests__/support/**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', process: 'readonly', __dirname: 'readonly' }
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
);
