import {createHash} from 'node:crypto'
import JSZip from 'jszip'
import {beforeAll, describe, expect, test} from 'vitest'
import {
  BASIC_ID,
  CLOZE_ID,
  COLLECTION_CREATED,
  DEFAULT_DECK_CONF,
  modelsJson
} from '../../src/anki/format.js'
import {lint} from '../../src/anki/lint.js'
import {loadSqlJs, pack, writeDatabase} from '../../src/anki/pack.js'
import {unpack} from '../../src/anki/unpack.js'
import type {UnpackedPackage} from '../../src/anki/unpack.js'
import {BERLIN, BOND, CHILD, FLAG_PNG, FRANCE, fixture, MAP_PNG, PARENT} from './fixture.js'

/** csum computed here from the expected stripped text, independently of checksum.ts. */
const sha1Prefix = (text: string): number => createHash('sha1').update(text).digest().readUInt32BE(0)

let bytes: Uint8Array
let pkg: UnpackedPackage

beforeAll(async () => {
  bytes = await pack(fixture())
  pkg = await unpack(bytes)
})

describe('pack → unpack', () => {
  test('zip: collection, media, numbered files; stored, fixed date', () => {
    expect(pkg.entries.map(({name, method, flags, date}) => ({name, method, flags, date}))).toEqual(
      ['collection.anki2', 'media', '0', '1'].map((name) => ({name, method: 0, flags: 0, date: '1980-01-01 00:00:00'}))
    )
    expect(pkg.metaVersion).toBeUndefined()
    expect(pkg.collectionEntry).toBe('collection.anki2')
  })

  test('media are numbered in name order', () => {
    expect(pkg.mediaMap).toMatchObject({ok: true, value: {'0': 'flag.png', '1': 'map.png'}})
    expect(pkg.mediaMap?.text).toBe('{"0":"flag.png","1":"map.png"}')
    expect(pkg.mediaFiles).toEqual(new Map([['0', FLAG_PNG], ['1', MAP_PNG]]))
  })

  test('SQLite: rollback journal, 4096-byte pages, UTF-8', () => {
    expect(pkg.sqlite).toMatchObject({pageSize: 4096, writeVersion: 1, readVersion: 1, textEncoding: 1})
  })

  test('schema: five tables and seven indexes, nothing else', () => {
    expect(pkg.schemaObjects.map((object) => `${object.type} ${object.name}`)).toEqual([
      'table col', 'table notes', 'table cards', 'table revlog', 'table graves',
      'index ix_notes_usn', 'index ix_cards_usn', 'index ix_revlog_usn', 'index ix_cards_nid',
      'index ix_cards_sched', 'index ix_revlog_cid', 'index ix_notes_csum'
    ])
  })

  test('the col row', () => {
    expect(pkg.col).toHaveLength(1)
    const [col] = pkg.col
    expect(col?.values).toMatchObject({
      id: 1, crt: COLLECTION_CREATED, mod: COLLECTION_CREATED * 1000, scm: COLLECTION_CREATED * 1000,
      ver: 11, dty: 0, usn: 0, ls: 0, tags: '{}'
    })
    expect(Object.values(col?.types ?? {})).toEqual([...Array(8).fill('integer'), ...Array(5).fill('text')])
  })

  test('the col JSON', () => {
    const json = pkg.json
    expect(json?.models).toMatchObject({ok: true, value: modelsJson()})
    expect(json?.conf).toMatchObject({ok: true, value: {schedVer: 2, curModel: BASIC_ID, nextPos: 4, curDeck: 1}})
    expect(json?.dconf).toMatchObject({ok: true, value: {'1': DEFAULT_DECK_CONF}})
    expect(json?.tags).toMatchObject({ok: true, value: {}})
    const decks = json?.decks.ok ? (json.decks.value as Record<string, {name: string; desc: string}>) : {}
    expect(Object.entries(decks).map(([id, deck]) => [id, deck.name, deck.desc])).toEqual([
      ['1', 'Default', ''],
      [String(PARENT.id), 'Geography', '<p>Built by deckc</p>'],
      [String(CHILD.id), 'Geography::Capitals', '']
    ])
  })

  test('notes, in id order, with fields, tags and the field cache', () => {
    const common = {usn: -1, mod: 1_750_000_000, flags: 0, data: ''}
    expect(pkg.notes.map((row) => row.values)).toEqual([
      {
        id: FRANCE.id, guid: FRANCE.guid, mid: BASIC_ID, ...common,
        tags: ' geo europe::capitals ',
        flds: 'Capital of France? <span class="ref">(slide 4)</span>\u001F<p>Paris</p>\n<img src="map.png">\u001F',
        sfld: 'Capital of France? (slide 4)',
        csum: sha1Prefix('Capital of France? (slide 4)')
      },
      {
        id: BOND.id, guid: BOND.guid, mid: BASIC_ID, ...common,
        tags: '', flds: '<b>007</b>\u001FJames Bond\u001Fy',
        // Integer affinity stores the numeric sort text as a number, as in Anki.
        sfld: 7,
        csum: sha1Prefix('007')
      },
      {
        id: BERLIN.id, guid: BERLIN.guid, mid: CLOZE_ID, ...common,
        tags: '', flds: '{{c1::Berlin}} is the capital of {{c2::Germany}}\u001FFlag: <img src="flag.png">',
        sfld: '{{c1::Berlin}} is the capital of {{c2::Germany}}',
        csum: sha1Prefix('{{c1::Berlin}} is the capital of {{c2::Germany}}')
      }
    ])
    expect(pkg.notes.map((row) => Object.values(row.types).join(' '))).toEqual([
      'integer text integer integer integer text text text integer integer text',
      'integer text integer integer integer text text integer integer integer text',
      'integer text integer integer integer text text text integer integer text'
    ])
  })

  test('cards, new, in id order', () => {
    const card = (nid: number, ord: number, did: number, due: number) => ({
      id: nid + ord, nid, did, ord, mod: 1_750_000_000, usn: -1, type: 0, queue: 0, due,
      ivl: 0, factor: 0, reps: 0, lapses: 0, left: 0, odue: 0, odid: 0, flags: 0, data: ''
    })
    expect(pkg.cards.map((row) => row.values)).toEqual([
      card(FRANCE.id, 0, CHILD.id, 1),
      card(BOND.id, 0, CHILD.id, 2),
      card(BOND.id, 1, CHILD.id, 2),
      card(BERLIN.id, 0, PARENT.id, 3),
      card(BERLIN.id, 1, PARENT.id, 3)
    ])
    for (const row of pkg.cards) {
      expect(Object.entries(row.types).filter(([, type]) => type !== 'integer')).toEqual([['data', 'text']])
    }
  })

  test('lint finds nothing', () => {
    expect(lint(pkg)).toEqual([])
  })
})

describe('determinism', () => {
  test('packing twice gives the same bytes', async () => {
    expect(await pack(fixture())).toEqual(bytes)
  })

  test('row and media order in the input do not matter', async () => {
    const collection = fixture()
    const shuffled = {
      ...collection,
      notes: [...collection.notes].reverse(),
      cards: [...collection.cards].reverse(),
      media: [...collection.media].reverse()
    }
    expect(await pack(shuffled)).toEqual(bytes)
  })

  test('the input is not modified', async () => {
    const collection = fixture()
    const before = structuredClone(collection)
    await pack(collection)
    expect(collection).toEqual(before)
  })

  test('the zip is byte-identical in another time zone', async () => {
    const zone = process.env['TZ']
    process.env['TZ'] = 'Pacific/Kiritimati'
    try {
      expect(await pack(fixture())).toEqual(bytes)
    } finally {
      if (zone === undefined) delete process.env['TZ']
      else process.env['TZ'] = zone
    }
  })
})

describe('edge cases', () => {
  test('an empty collection still has a media entry {}', async () => {
    const empty = await unpack(await pack({decks: [], notes: [], cards: [], media: []}))
    expect(empty.entries.map((entry) => entry.name)).toEqual(['collection.anki2', 'media'])
    expect(empty.mediaMap?.text).toBe('{}')
    expect(empty.json?.conf).toMatchObject({ok: true, value: {nextPos: 1}})
    expect(lint(empty)).toEqual([])
  })

  test('the exported database header says rollback journal', async () => {
    const zip = await JSZip.loadAsync(bytes)
    const database = await zip.file('collection.anki2')?.async('uint8array')
    expect([database?.[18], database?.[19]]).toEqual([1, 1])
  })

  test('text with quotes and SQL is bound, not interpolated', async () => {
    const collection = fixture()
    const tricky = {...BOND, fields: ["it's'); drop table notes; --", '"x"', '']}
    const back = await unpack(await pack({...collection, notes: [FRANCE, tricky, BERLIN]}))
    expect(back.notes[1]?.values['flds']).toBe("it's'); drop table notes; --\u001F\"x\"\u001F")
  })

  test('text of any length and kind is stored as the string bound as text would be', async () => {
    const texts = [
      'x'.repeat(31),
      'y'.repeat(32),
      `Größe, 日本語 und 😀 ${'ü'.repeat(40)}`,
      '12345',
      '1234567890123456789012345678901234567890',
      ' 4.5e3',
      `${'z'.repeat(40)}\uD800`,
      `\uDC00${'z'.repeat(40)}`,
      ''
    ]
    const notes = texts.map((text, index) => ({...BOND, id: BOND.id + index * 1000, guid: `g${index}`, fields: [text, `${text}${'b'.repeat(index * 10)}`, '']}))
    const collection = {...fixture(), notes, cards: notes.map((note) => ({id: note.id, nid: note.id, did: CHILD.id, ord: 0, mod: note.mod, due: 1}))}
    const SQL = await loadSqlJs()
    const written = new SQL.Database(await writeDatabase(collection))
    const reference = new SQL.Database()
    try {
      reference.run('create table t (id integer primary key, flds text not null, sfld integer not null)')
      const insert = reference.prepare('insert into t values (?, ?, ?)')
      for (const note of notes) insert.run([note.id, note.fields.join('\u001F'), note.fields[0] ?? ''])
      insert.free()
      const stored = (db: typeof written, table: string) => db.exec(`select hex(flds), typeof(sfld), hex(sfld) from ${table} order by id`)[0]?.values
      expect(stored(written, 'notes')).toEqual(stored(reference, 't'))
      expect(stored(written, 'notes')?.map((row) => row[1])).toEqual(['text', 'text', 'text', 'integer', 'real', 'integer', 'text', 'text', 'text'])
    } finally {
      written.close()
      reference.close()
    }
  })

  test('broken invariants throw', async () => {
    const collection = fixture()
    await expect(pack({...collection, notes: [{...FRANCE, notetype: 42}]})).rejects.toThrow(/unknown note type 42/)
    await expect(pack({...collection, notes: [{...FRANCE, fields: ['a', 'b']}]})).rejects.toThrow(/2 fields/)
    await expect(pack({...collection, notes: [{...FRANCE, mod: 1.5}]})).rejects.toThrow(/not a safe integer/)
    await expect(pack({...collection, media: [{name: 'a', data: MAP_PNG}, {name: 'a', data: FLAG_PNG}]})).rejects.toThrow(
      /two media files are named a/
    )
  })

  test('a deck with the Default deck id throws', async () => {
    await expect(pack({...fixture(), decks: [{id: 1, name: 'Mine', description: ''}]})).rejects.toThrow(/deck id 1/)
  })
})
