// The heavy cases of the adversarial catalogue (tests/adversarial/<case>/
// with `"heavy": true`): inputs of megabytes, 100,000 cards, nesting 10,000
// deep. Run with `npm run test:heavy`; each case is bounded in time.
import {describe, expect, it} from 'vitest'
import {caseNames, inputOf, readExpected, runCase, update, writeExpected} from '../adversarial/harness.js'

/** Per case: the 100,000-card build takes most of it. */
const bound = 300_000

describe('adversarial catalogue (heavy)', () => {
  for (const name of caseNames()) {
    const expected = readExpected(name)
    if (!expected.heavy) continue
    it(
      `${name}: ${expected.description}`,
      async () => {
        const outcome = await runCase(inputOf(name, expected))
        if (update) writeExpected(name, expected, outcome)
        expect(outcome.problems).toEqual([])
        expect({exit: outcome.exit, cards: outcome.cards, stderr: outcome.stderr}).toEqual({exit: expected.exit, cards: expected.cards, stderr: expected.stderr})
        expect(outcome.check).toEqual({exit: expected.exit, stderr: expected.stderr})
      },
      bound
    )
  }
})
