import {defineConfig} from 'vitest/config'

// The heavy suite (`npm run test:heavy`): big inputs, long property runs,
// builds killed and run at once. Each test sets its own time bound.
export default defineConfig({
  test: {
    include: ['tests/heavy/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['tests/setup.ts']
  }
})
