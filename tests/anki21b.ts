/**
 * Builds a package in Anki's newer format (anki-apkg-format.md §10) the way
 * current Anki exports one: `meta` version 3, a zstd-compressed schema-18
 * `collection.anki21b`, a dummy `collection.anki2`, a zstd protobuf `media`
 * list and zstd media entries. There is no zstd compressor among the
 * dependencies, so frames are written with raw (stored) blocks, which every
 * decoder reads.
 */
import {createHash} from 'node:crypto'
import JSZip from 'jszip'
import {loadSqlJs, pack} from '../src/anki/pack.js'
import {guidFromKey} from '../src/anki/guid.js'

/**
 * A zstd frame holding `data` in raw blocks: magic, a frame header with the
 * single-segment flag and a 4-byte content size, then blocks of ≤ 128 KiB.
 */
export function zstdFrame(data: Uint8Array): Uint8Array {
  const maxBlock = 128 * 1024
  const blocks: Uint8Array[] = []
  for (let offset = 0; offset < data.length || blocks.length === 0; offset += maxBlock) {
    const chunk = data.subarray(offset, offset + maxBlock)
    const last = offset + maxBlock >= data.length ? 1 : 0
    // Block header, 3 bytes little-endian: last-block bit, type 0 (raw) in bits 1–2, size in bits 3–23.
    const header = (chunk.length << 3) | last
    blocks.push(new Uint8Array([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]), chunk)
  }
  const head = new Uint8Array(9)
  const view = new DataView(head.buffer)
  view.setUint32(0, 0xfd2fb528, true)
  // Frame header descriptor: content-size flag 2 (4 bytes), single segment, no checksum, no dictionary.
  head[4] = 0b1010_0000
  view.setUint32(5, data.length, true)
  return concat([head, ...blocks])
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

// Protobuf writing: just varint and length-delimited fields.

function varint(value: number): number[] {
  const bytes: number[] = []
  let rest = value
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80)
    rest = Math.floor(rest / 0x80)
  }
  bytes.push(rest)
  return bytes
}

/** A protobuf message from `[field, value]` pairs: numbers as varints, strings and bytes length-delimited. */
export function protobuf(fields: Array<[number, number | string | Uint8Array]>): Uint8Array {
  return concat(
    fields.map(([field, value]) => {
      if (typeof value === 'number') return new Uint8Array([...varint(field * 8), ...varint(value)])
      const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value
      return concat([new Uint8Array([...varint(field * 8 + 2), ...varint(bytes.length)]), bytes])
    })
  )
}

/** The schema-18 tables as Anki declares them (rslib/src/storage/upgrades/schema1{4,5,8}_upgrade.sql). */
const SCHEMA_18 = `
create table col (id integer primary key, crt integer not null, mod integer not null, scm integer not null, ver integer not null, dty integer not null, usn integer not null, ls integer not null, conf text not null, models text not null, decks text not null, dconf text not null, tags text not null);
create table notes (id integer primary key, guid text not null, mid integer not null, mod integer not null, usn integer not null, tags text not null, flds text not null, sfld integer not null, csum integer not null, flags integer not null, data text not null);
create table cards (id integer primary key, nid integer not null, did integer not null, ord integer not null, mod integer not null, usn integer not null, type integer not null, queue integer not null, due integer not null, ivl integer not null, factor integer not null, reps integer not null, lapses integer not null, left integer not null, odue integer not null, odid integer not null, flags integer not null, data text not null);
create table revlog (id integer primary key, cid integer not null, usn integer not null, ease integer not null, ivl integer not null, lastIvl integer not null, factor integer not null, time integer not null, type integer not null);
create table graves (oid integer not null, type integer not null, usn integer not null, primary key (oid, type)) without rowid;
create table deck_config (id integer primary key not null, name text not null collate nocase, mtime_secs integer not null, usn integer not null, config blob not null);
create table config (key text not null primary key, usn integer not null, mtime_secs integer not null, val blob not null) without rowid;
create table fields (ntid integer not null, ord integer not null, name text not null collate nocase, config blob not null, primary key (ntid, ord)) without rowid;
create unique index idx_fields_name_ntid on fields (name, ntid);
create table templates (ntid integer not null, ord integer not null, name text not null collate nocase, mtime_secs integer not null, usn integer not null, config blob not null, primary key (ntid, ord)) without rowid;
create unique index idx_templates_name_ntid on templates (name, ntid);
create table notetypes (id integer not null primary key, name text not null collate nocase, mtime_secs integer not null, usn integer not null, config blob not null);
create unique index idx_notetypes_name on notetypes (name);
create table decks (name text not null primary key collate nocase, id integer not null, mtime_secs integer not null, usn integer not null, common blob not null, kind blob not null);
create unique index idx_decks_id on decks (id);
create table tags (tag text not null primary key collate nocase, usn integer not null, collapsed boolean not null, config blob null) without rowid;
`

export const BASIC_NT = 1_690_000_000_001
export const CLOZE_NT = 1_690_000_000_002
export const FRENCH_DECK = 1_690_000_000_200
export const HELLO_TXT = new TextEncoder().encode('hello')

/** A schema-18 collection: Basic and Cloze note types, `Languages::French`, a Basic and a Cloze note. */
async function schema18Collection(): Promise<Uint8Array> {
  const SQL = await loadSqlJs()
  const db = new SQL.Database()
  db.run(SCHEMA_18)
  db.run("insert into col values (1, 1700000000, 1700000000000, 1700000000000, 18, 0, 0, 0, '', '', '', '', '')")
  const notetype = (id: number, name: string, kind: number, fields: string[], templates: Array<[string, string, string]>): void => {
    db.run('insert into notetypes values (?, ?, 0, 0, ?)', [id, name, protobuf([[1, kind], [3, '.card { color: black; }']])])
    fields.forEach((field, ord) => db.run('insert into fields values (?, ?, ?, ?)', [id, ord, field, protobuf([[3, 'Arial']])]))
    templates.forEach(([template, qfmt, afmt], ord) =>
      db.run('insert into templates values (?, ?, ?, 0, 0, ?)', [id, ord, template, protobuf([[1, qfmt], [2, afmt]])])
    )
  }
  notetype(BASIC_NT, 'Basic', 0, ['Front', 'Back'], [['Card 1', '{{Front}}', '{{FrontSide}}<hr id=answer>{{Back}}']])
  notetype(CLOZE_NT, 'Cloze', 1, ['Text', 'Back Extra'], [['Cloze', '{{cloze:Text}}', '{{cloze:Text}}<br>{{Back Extra}}']])
  const deck = (id: number, name: string): void => {
    db.run('insert into decks values (?, ?, 0, 0, ?, ?)', [name, id, new Uint8Array(), protobuf([[1, new Uint8Array()]])])
  }
  deck(1, 'Default')
  deck(1_690_000_000_100, 'Languages')
  deck(FRENCH_DECK, 'Languages\u001FFrench')
  const fields = ['<b>chat</b>', 'cat<br>(animal) <img src="hello.txt">']
  db.run("insert into notes values (1690000001000, ?, ?, 1700000000, 0, ' vocab fr ', ?, 'chat', 0, 0, '')", [
    guidFromKey('anki21b-1'),
    BASIC_NT,
    fields.join('\u001F')
  ])
  db.run("insert into notes values (1690000002000, ?, ?, 1700000000, 0, '', ?, '', 0, 0, '')", [
    guidFromKey('anki21b-2'),
    CLOZE_NT,
    ['{{c1::Paris}} is in {{c2::France}}', ''].join('\u001F')
  ])
  const card = (id: number, nid: number, ord: number, queue: number, due: number): void => {
    db.run('insert into cards values (?, ?, ?, ?, 0, 0, 0, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, \'\')', [id, nid, FRENCH_DECK, ord, queue, due])
  }
  card(1690000001000, 1690000001000, 0, 0, 1)
  card(1690000002000, 1690000002000, 0, 2, 120)
  card(1690000002001, 1690000002000, 1, -1, 2)
  // Anki's own collation, which sql.js cannot create: rename it in the schema text, as found in a real file.
  db.run('pragma writable_schema = on')
  db.run("update sqlite_master set sql = replace(sql, 'collate nocase', 'collate unicase')")
  db.run('pragma writable_schema = off')
  const bytes = db.export()
  db.close()
  return bytes
}

/**
 * A newer-format package as Anki exports it.
 *
 * @param change Optional; edits the zip before it is written.
 */
export async function anki21bPackage(change: (zip: JSZip) => void = () => {}): Promise<Uint8Array> {
  const zip = new JSZip()
  // The dummy legacy collection that tells older clients to update.
  const dummy = await JSZip.loadAsync(
    await pack({
      decks: [{id: 2, name: 'Please update', description: ''}],
      notes: [],
      cards: [],
      media: []
    })
  )
  zip.file('meta', new Uint8Array([0x08, 0x03]))
  zip.file('collection.anki21b', zstdFrame(await schema18Collection()))
  zip.file('collection.anki2', (await dummy.file('collection.anki2')?.async('uint8array')) ?? new Uint8Array())
  const sha1 = createHash('sha1').update(HELLO_TXT).digest()
  zip.file('media', zstdFrame(protobuf([[1, protobuf([[1, 'hello.txt'], [2, HELLO_TXT.length], [3, sha1]])]])))
  zip.file('0', zstdFrame(HELLO_TXT))
  change(zip)
  return zip.generateAsync({type: 'uint8array'})
}
