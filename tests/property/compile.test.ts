// Property tests of the whole compiler with fast-check, kept small for the
// default suite (each property bounded in runs and seconds); the heavy suite
// (tests/heavy/property.test.ts) runs the same properties much longer.
import fc from 'fast-check'
import {describe, it} from 'vitest'
import {anyBytes, anyText, cardLists, check, deterministic, markdownLecture, neverCrash, roundTrip, writeLecture} from './properties.js'

/** The same cases every run, so that the default suite is stable; the heavy suite explores. */
const seed = 20_261_126

describe('compile never crashes', () => {
  it('on lectures built from the syntax’s pieces', async () => {
    await check(fc.array(markdownLecture, {minLength: 1, maxLength: 3}), (sources) => neverCrash(sources.map((value, index) => ({path: `notes/l${index}.md`, value}))), {runs: 40, seconds: 4, seed})
  })

  it('on any text', async () => {
    await check(anyText, (value) => neverCrash([{path: 'notes/text.md', value}]), {runs: 30, seconds: 2, seed})
  })

  it('on any bytes', async () => {
    await check(anyBytes, (value) => neverCrash([{path: 'notes/bytes.md', value}]), {runs: 30, seconds: 2, seed})
  })
})

describe('compile round-trips', () => {
  it('cards written in the user’s style come back in order with their text', async () => {
    await check(cardLists, roundTrip, {runs: 20, seconds: 3, seed})
  })
})

describe('compile is deterministic', () => {
  it('the same lecture gives the same bytes twice', async () => {
    await check(fc.oneof(cardLists.map(writeLecture), markdownLecture), deterministic, {runs: 10, seconds: 3, seed})
  })
})
