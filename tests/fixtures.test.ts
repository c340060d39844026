// Fixture cases: tests/fixtures/<case>/input.md compiles to the reviewed
// expected.json (deck name and card fields) and messages.txt (diagnostics).
// Regenerate on purpose only: UPDATE_FIXTURES=1 npx vitest run tests/fixtures.test.ts
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {CLOZE} from '../src/anki/format.js'
import {compile, report} from '../src/index.js'

const root = new URL('fixtures/', import.meta.url)
const update = process.env['UPDATE_FIXTURES'] === '1'

interface Expected {
  deck: string
  description?: string
  /** Tags of the first card (a lecture's cards share them). */
  tags?: string[]
  /** Ords only when not the forward card alone. */
  cards: Array<{front: string; back: string; cloze?: true; ords?: number[]}>
}

describe('fixtures', () => {
  for (const name of readdirSync(root).sort()) {
    it(name, () => {
      const folder = new URL(`${name}/`, root)
      const [deck] = compile([{path: `${name}/input.md`, value: readFileSync(new URL('input.md', folder))}], {clock: 1_790_000_000_000})
      if (!deck) throw new Error('compile returned no deck')
      const notes = deck.collection?.notes ?? []
      const description = deck.collection?.decks.at(-1)?.description ?? ''
      const actual: Expected = {
        deck: deck.deck,
        ...(description === '' ? {} : {description}),
        ...(notes[0] ? {tags: notes[0].tags} : {}),
        cards: notes.map((note) => ({
          front: note.fields[0] ?? '',
          back: note.fields[1] ?? '',
          ...(note.notetype === CLOZE.id ? {cloze: true as const} : {}),
          ...(note.ords.length === 1 && note.ords[0] === 0 ? {} : {ords: note.ords})
        }))
      }
      const messages = report([deck.file])
      const expectedJson = new URL('expected.json', folder)
      const expectedMessages = new URL('messages.txt', folder)
      if (update) {
        writeFileSync(expectedJson, `${JSON.stringify(actual, null, 2)}\n`)
        writeFileSync(expectedMessages, messages === '' ? '' : `${messages}\n`)
      }
      expect(existsSync(expectedJson), `${name}/expected.json is missing`).toBe(true)
      expect(actual).toEqual(JSON.parse(readFileSync(expectedJson, 'utf8')))
      expect(messages === '' ? '' : `${messages}\n`).toBe(readFileSync(expectedMessages, 'utf8'))
    })
  }
})
