// Packages start from an empty collection: made by the schema's statements
// (from the sources) or opened from build/collection.anki2 (the bundle).
// Both must give the same bytes, whatever is inserted.
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {emptyCollection, loadSqlJs, writeDatabase} from '../../src/anki/pack.js'
import {compile} from '../../src/compile.js'
import {fixture} from './fixture.js'

function lecture(cards: number): string {
  const lines = ['Start']
  for (let index = 0; index < cards; index++) lines.push(`What is item ${index} of the start test?`, `- its answer ${'x'.repeat(index % 300)}`, `- and ${index}`)
  return `${lines.join('\n')}\n`
}

describe('the empty collection packages start from', () => {
  it('gives the bytes the schema statements give, for small and large collections', async () => {
    const empty = await emptyCollection()
    const [small] = compile([{path: 'notes/small.md', value: lecture(3)}], {clock: 1_790_000_000_000})
    const [large] = compile([{path: 'notes/large.md', value: lecture(4_000)}], {clock: 1_790_000_000_000})
    for (const collection of [fixture(), small?.collection, large?.collection]) {
      if (!collection) throw new Error('no collection')
      const fromStatements = await writeDatabase(collection)
      const fromEmpty = await writeDatabase(collection, empty)
      expect(fromEmpty.length).toBe(fromStatements.length)
      expect(Buffer.compare(fromEmpty, fromStatements)).toBe(0)
    }
    expect((await writeDatabase(large?.collection ?? fixture())).length).toBeGreaterThan(1_000_000)
  })

  it('is what the bundle ships', async () => {
    expect(new Uint8Array(readFileSync(new URL('../../build/collection.anki2', import.meta.url)))).toEqual(await emptyCollection())
  })
})

describe('rows inserted many to a statement', () => {
  it('give the file that one statement per row gives, with every note and card', async () => {
    const SQL = await loadSqlJs()
    const empty = await emptyCollection()
    for (const count of [1, 15, 16, 17, 37]) {
      const [deck] = compile([{path: 'notes/rows.md', value: lecture(count)}], {clock: 1_790_000_000_000})
      const bytes = await writeDatabase(deck?.collection ?? fixture(), empty)
      const written = new SQL.Database(bytes)
      const reference = new SQL.Database(empty)
      try {
        reference.exec('pragma journal_mode = delete')
        reference.run('begin')
        for (const table of ['col', 'notes', 'cards']) {
          const [result] = written.exec(`select * from ${table} order by id`)
          if (!result) throw new Error(`no ${table}`)
          expect(result.values.length).toBe(table === 'col' ? 1 : count)
          const statement = reference.prepare(`insert into ${table} (${result.columns.join(', ')}) values (${result.columns.map(() => '?').join(', ')})`)
          for (const row of result.values) statement.run(row)
          statement.free()
        }
        reference.run('commit')
        expect(written.exec('select count(*) from notes where flds like ?', ['What is item%'])[0]?.values).toEqual([[count]])
        expect(Buffer.compare(reference.export(), bytes)).toBe(0)
      } finally {
        written.close()
        reference.close()
      }
    }
  })
})
