// The compiler's properties (tests/property/properties.ts) with many runs and
// a random seed: minutes, not seconds. Run with `npm run test:heavy`; a
// failure prints its seed and counterexample (rerun with FC_SEED=…).
import fc from 'fast-check'
import {describe, it} from 'vitest'
import {anyBytes, anyText, cardLists, check, deterministic, markdownLecture, neverCrash, roundTrip, writeLecture} from '../property/properties.js'

const runs = Number(process.env['FC_RUNS'] ?? 1500)
const seconds = Number(process.env['FC_SECONDS'] ?? 90)
const bound = (seconds + 30) * 1000

describe('compile never crashes (long)', () => {
  it('on lectures built from the syntax’s pieces', async () => {
    await check(fc.array(markdownLecture, {minLength: 1, maxLength: 3}), (sources) => neverCrash(sources.map((value, index) => ({path: `notes/l${index}.md`, value}))), {runs, seconds})
  }, bound)

  it('on any text', async () => {
    await check(anyText, (value) => neverCrash([{path: 'notes/text.md', value}]), {runs, seconds: seconds / 3})
  }, bound)

  it('on any bytes', async () => {
    await check(anyBytes, (value) => neverCrash([{path: 'notes/bytes.md', value}]), {runs, seconds: seconds / 3})
  }, bound)
})

describe('compile round-trips (long)', () => {
  it('cards written in the user’s style come back in order with their text', async () => {
    await check(cardLists, roundTrip, {runs, seconds})
  }, bound)
})

describe('compile is deterministic (long)', () => {
  it('the same lecture gives the same bytes twice', async () => {
    await check(fc.oneof(cardLists.map(writeLecture), markdownLecture), deterministic, {runs: runs / 5, seconds: seconds / 2})
  }, bound)
})
