// Cloze notes in a package: the cards Anki would generate, and nothing more.
import {readFileSync} from 'node:fs'
import {expect, it} from 'vitest'
import {CLOZE} from '../src/anki/format.js'
import {lint} from '../src/anki/lint.js'
import {unpack} from '../src/anki/unpack.js'
import {compile, pack} from '../src/index.js'

it('packs cloze and basic notes together so that every format check passes', async () => {
  const value = readFileSync(new URL('fixtures/cloze/input.md', import.meta.url))
  const [deck] = compile([{path: 'cloze.md', value}], {clock: 1_790_000_000_000})
  if (!deck?.collection) throw new Error(String(deck?.file.messages))
  const pkg = await unpack(await pack(deck.collection))
  expect(lint(pkg)).toEqual([])
  const cloze = pkg.notes.filter((note) => note.values['mid'] === CLOZE.id)
  expect(cloze).toHaveLength(4)
  // One card per distinct cloze number: 2 + 2 + 1 + 1, and one for the basic note.
  expect(pkg.cards).toHaveLength(7)
  expect(pkg.cards.map((card) => card.values['ord']).sort()).toEqual([0, 0, 0, 0, 1, 1, 2])
})
