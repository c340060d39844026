import {configDefaults, defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The heavy suite runs on its own: `npm run test:heavy` (vitest.heavy.config.ts).
    exclude: [...configDefaults.exclude, 'tests/heavy/**'],
    testTimeout: 20_000,
    pool: 'forks',
    setupFiles: ['tests/setup.ts']
  }
})
