/**
 * A small hand-made collection for the package tests: two decks (a parent and
 * its `::` child), a Basic note, a Basic note with its reverse card, a Cloze
 * note with two deletions, two media files and one tag list.
 */
import JSZip from 'jszip'
import type {Database} from 'sql.js'
import {BASIC_ID, CLOZE_ID} from '../../src/anki/format.js'
import {guidFromKey} from '../../src/anki/guid.js'
import {loadSqlJs} from '../../src/anki/pack.js'
import type {Collection, Deck, Note} from '../../src/types.js'

export const PARENT: Deck = {id: 1_600_000_000_100, name: 'Geography', description: '<p>Built by deckc</p>'}
export const CHILD: Deck = {id: 1_600_000_000_200, name: 'Geography::Capitals', description: ''}

export const MAP_PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])
export const FLAG_PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 4, 5, 6, 7])

const note = (fields: Partial<Note> & Pick<Note, 'id' | 'notetype' | 'fields' | 'ords'>): Note => ({
  guid: guidFromKey(`deckc-test:${fields.id}`),
  mod: 1_750_000_000,
  tags: [],
  source: {path: 'geo.md', line: 1},
  ...fields
})

export const FRANCE = note({
  id: 1_700_000_001_000,
  notetype: BASIC_ID,
  fields: ['Capital of France? <span class="ref">(slide 4)</span>', '<p>Paris</p>\n<img src="map.png">', ''],
  tags: ['geo', 'europe::capitals'],
  ords: [0]
})

export const BOND = note({
  id: 1_700_000_002_000,
  notetype: BASIC_ID,
  fields: ['<b>007</b>', 'James Bond', 'y'],
  ords: [0, 1]
})

export const BERLIN = note({
  id: 1_700_000_003_000,
  notetype: CLOZE_ID,
  fields: ['{{c1::Berlin}} is the capital of {{c2::Germany}}', 'Flag: <img src="flag.png">'],
  ords: [0, 1]
})

const card = (nid: number, ord: number, did: number, due: number): Collection['cards'][number] => ({
  id: nid + ord,
  nid,
  did,
  ord,
  mod: 1_750_000_000,
  due
})

/** A fresh copy of the fixture collection (media deliberately not in name order). */
export function fixture(): Collection {
  return {
    decks: [PARENT, CHILD],
    notes: [FRANCE, BOND, BERLIN],
    cards: [
      card(FRANCE.id, 0, CHILD.id, 1),
      card(BOND.id, 0, CHILD.id, 2),
      card(BOND.id, 1, CHILD.id, 2),
      card(BERLIN.id, 0, PARENT.id, 3),
      card(BERLIN.id, 1, PARENT.id, 3)
    ],
    media: [
      {name: 'map.png', data: MAP_PNG},
      {name: 'flag.png', data: FLAG_PNG}
    ]
  }
}

/**
 * Rewrites a package: runs `edit` on its collection database and `editZip`
 * on the zip (after the database was put back), then re-zips it.
 */
export async function modify(
  bytes: Uint8Array,
  edit: (db: Database) => void,
  editZip: (zip: JSZip) => void = () => {}
): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(bytes)
  const entry = zip.file('collection.anki2')
  if (!entry) throw new Error('fixture: no collection.anki2')
  const SQL = await loadSqlJs()
  const db = new SQL.Database(await entry.async('uint8array'))
  try {
    edit(db)
    zip.file('collection.anki2', db.export())
  } finally {
    db.close()
  }
  editZip(zip)
  return zip.generateAsync({type: 'uint8array'})
}

/** Rewrites one JSON column of the `col` row. */
export function editColJson(db: Database, column: 'models' | 'decks' | 'dconf' | 'conf', change: (value: Record<string, Record<string, unknown>>) => void): void {
  const [row] = db.exec(`select ${column} from col`)
  const value = JSON.parse(String(row?.values[0]?.[0])) as Record<string, Record<string, unknown>>
  change(value)
  db.run(`update col set ${column} = ?`, [JSON.stringify(value)])
}
