/**
 * Writes a {@link Collection} as a legacy `.apkg`: a schema-11 SQLite
 * database (`collection.anki2`) and the media, zipped (anki-apkg-format.md §11).
 * With `unpack.ts` (and `zip.ts` for the container), the only modules that know SQLite and zip.
 */
import {Buffer} from 'node:buffer'
import {readFile} from 'node:fs/promises'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'
import initSqlJs from 'sql.js'
import type {Database, SqlJsStatic, SqlValue} from 'sql.js'
import type {Collection, MediaFile, Note} from '../types.js'
import {checksum, sortField} from './checksum.js'
import {
  COL_ROW,
  collectionConf,
  deckConfsJson,
  decksJson,
  DEFAULT_DECK_ID,
  modelsJson,
  NOTETYPES,
  schemaStatements,
  TABLES
} from './format.js'
import {storedZip} from './zip.js'

let wasmPathOverride: string | undefined
let sqlJs: Promise<SqlJsStatic> | undefined

/**
 * Points sql.js at its `sql-wasm.wasm` file, for builds that bundle deckc and
 * ship the wasm next to the bundle. Call it before the first {@link pack} or
 * `unpack`: sql.js is initialised once per process.
 *
 * @param path File path or `file:` URL of `sql-wasm.wasm`; `undefined` restores
 *   the default (the file in the installed `sql.js` package).
 * @throws Error when sql.js has already been loaded.
 */
export function setSqlWasmPath(path: string | URL | undefined): void {
  if (sqlJs) throw new Error('setSqlWasmPath: sql.js is already loaded; call it before the first pack or unpack')
  wasmPathOverride = path instanceof URL ? fileURLToPath(path) : path
}

/**
 * Loads sql.js once; later calls share the same promise. The wasm is read
 * here and handed over as bytes, so a missing file is a plain rejection
 * (and can be retried) instead of an abort inside sql.js.
 *
 * @returns The initialised sql.js module.
 */
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= readWasm().then(
    (wasmBinary) => initSqlJs({wasmBinary}),
    (error: unknown) => {
      sqlJs = undefined
      throw error
    }
  )
  return sqlJs
}

async function readWasm(): Promise<ArrayBuffer> {
  const path = wasmPathOverride ?? createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm')
  const bytes = await readFile(path)
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
}

/**
 * Builds the `.apkg` bytes of a collection. Identical input gives identical
 * bytes: every value comes from the input or from `format.ts`.
 *
 * @param collection Decks (never id 1), notes, cards and media to write.
 * @returns The zip file.
 */
export async function pack(collection: Collection): Promise<Uint8Array> {
  const database = await writeDatabase(collection)
  return zipPackage(database, collection.media)
}

/**
 * The database every package starts from: the schema in a fresh collection,
 * as its file's bytes. scripts/bundle.js writes it next to the bundle
 * (`build/collection.anki2`), so that a build opens it instead of having
 * SQLite parse and run the schema's twelve statements (about 7 ms of a cold
 * start); starting from it or from the statements gives the same bytes.
 */
export async function emptyCollection(): Promise<Uint8Array> {
  const SQL = await loadSqlJs()
  const db = new SQL.Database()
  try {
    createSchema(db)
    return db.export()
  } finally {
    db.close()
  }
}

function createSchema(db: Database): void {
  // Before any table exists, or it has no effect. Anki's collections use 4096.
  db.run('pragma page_size = 4096')
  // Rollback journal: header bytes 18/19 = 1; a WAL file must not be handed out (§2.1).
  db.exec('pragma journal_mode = delete')
  for (const statement of schemaStatements()) db.run(statement)
}

let shipped: Promise<Uint8Array | undefined> | undefined

/** `collection.anki2` next to this module: there in the bundle, not in the sources. */
function shippedCollection(): Promise<Uint8Array | undefined> {
  shipped ??= readFile(new URL('./collection.anki2', import.meta.url)).then(
    (bytes) => new Uint8Array(bytes),
    () => undefined
  )
  return shipped
}

/**
 * @param start
 *   The empty collection to start from (default: the bundle's, else the schema's statements).
 */
export async function writeDatabase(collection: Collection, start?: Uint8Array): Promise<Uint8Array> {
  const SQL = await loadSqlJs()
  const empty = start ?? (await shippedCollection())
  const db = empty ? new SQL.Database(empty) : new SQL.Database()
  try {
    if (empty) db.exec('pragma journal_mode = delete')
    else createSchema(db)
    db.run('begin')
    insertRows(db, 'col', [colRow(collection)])
    insertRows(db, 'notes', sortById(collection.notes).map(noteRow))
    insertRows(db, 'cards', sortById(collection.cards).map(cardRow))
    db.run('commit')
    const bytes = db.export()
    assertRollbackJournal(bytes)
    return bytes
  } finally {
    db.close()
  }
}

type Row = Record<string, SqlValue>

/**
 * Inserts rows with prepared statements of {@link ROWS_PER_STATEMENT} rows
 * each (and one for the rest), binding every value (never interpolated,
 * §9.4) but those {@link FIXED} for the table. SQLite inserts the rows of one
 * statement one after another, in order, as it would from one statement per
 * row, so the file is the same; fewer calls into SQLite make 1,000 notes
 * about a tenth faster to insert. Text goes in as `cast(? as text)`, see
 * {@link asBound}.
 */
function insertRows(db: Database, table: string, rows: Row[]): void {
  const fixed = FIXED[table] ?? {}
  const columns = TABLES.find((spec) => spec.name === table)?.columns.map((column) => column.name) ?? []
  const bound = columns.filter((column) => !(column in fixed))
  // The columns given text, as the first row has them (the same in every row).
  const textual = bound.map((column) => typeof rows[0]?.[column] === 'string')
  const placeholders = new Map(bound.map((column, at) => [column, textual[at] ? 'cast(? as text)' : '?']))
  const tuple = `(${columns.map((column) => placeholders.get(column) ?? literal(fixed[column] as Fixed)).join(', ')})`
  const insert = (count: number) => db.prepare(`insert into ${table} (${columns.join(', ')}) values ${Array.from({length: count}, () => tuple).join(', ')}`)
  const values = (from: number, to: number) => {
    const out: SqlValue[] = []
    for (let index = from; index < to; index++) {
      const row = rows[index] as Row
      for (let at = 0; at < bound.length; at++) {
        const column = bound[at] as string
        const value = row[column]
        if (value === undefined) throw new Error(`pack: no value for ${table}.${column}`)
        if ((typeof value === 'string') !== textual[at]) throw new Error(`pack: ${table}.${column} is text in some rows only`)
        out.push(typeof value === 'string' ? asBound(value) : value)
      }
    }
    return out
  }
  const whole = rows.length - (rows.length % ROWS_PER_STATEMENT)
  if (whole > 0) {
    const statement = insert(ROWS_PER_STATEMENT)
    try {
      for (let from = 0; from < whole; from += ROWS_PER_STATEMENT) statement.run(values(from, from + ROWS_PER_STATEMENT))
    } finally {
      statement.free()
    }
  }
  if (whole < rows.length) {
    const statement = insert(rows.length - whole)
    try {
      statement.run(values(whole, rows.length))
    } finally {
      statement.free()
    }
  }
}

/** A value every row of a table has: a 32-bit integer (which sql.js binds as one) or empty text. */
type Fixed = number | ''

/**
 * The columns that hold the same value in every row deckc writes, written
 * into the statement rather than bound: the same stored values, and two
 * thirds fewer calls into SQLite for the cards. Every note and card is
 * "changed locally" (usn −1; importers overwrite it, §5.4) and every card new
 * (type 0, queue 0, never studied, §6).
 */
const FIXED: Record<string, Record<string, Fixed>> = {
  notes: {usn: -1, flags: 0, data: ''},
  cards: {usn: -1, type: 0, queue: 0, ivl: 0, factor: 0, reps: 0, lapses: 0, left: 0, odue: 0, odid: 0, flags: 0, data: ''}
}

function literal(value: Fixed): string {
  return value === '' ? "''" : String(value)
}

/** Rows a statement inserts: 16 cards bind 288 values, far below SQLite's limit of 32,766. */
const ROWS_PER_STATEMENT = 16

/**
 * A text value as it is bound for `cast(? as text)`: longer text as its
 * UTF-8 bytes, which SQLite takes as that text (a blob cast to text is read
 * in the database's encoding, UTF-8). sql.js copies bytes into SQLite's
 * memory at once, where it encodes a string one character at a time in
 * JavaScript; for the notes' fields that took about 60 % of inserting them.
 * Short text, and text with a lone surrogate (which UTF-8 cannot hold: it
 * stays as sql.js encodes it), is bound as the string, as before; the
 * stored value, and so the file, is the same either way.
 */
function asBound(text: string): SqlValue {
  return text.length >= 32 && text.isWellFormed() ? Buffer.from(text, 'utf8') : text
}

function colRow(collection: Collection): Row {
  if (collection.decks.some((deck) => deck.id === DEFAULT_DECK_ID)) {
    throw new Error('pack: deck id 1 is reserved for the Default deck')
  }
  const lastDue = collection.cards.reduce((max, card) => Math.max(max, card.due), 0)
  return {
    ...COL_ROW,
    conf: JSON.stringify(collectionConf(lastDue + 1)),
    models: JSON.stringify(modelsJson()),
    decks: JSON.stringify(decksJson(collection.decks)),
    dconf: JSON.stringify(deckConfsJson()),
    // Tag → usn; importers register tags from the notes themselves (§2.10).
    tags: '{}'
  }
}

function noteRow(note: Note): Row {
  const notetype = NOTETYPES.find((model) => model.id === note.notetype)
  if (!notetype) throw new Error(`pack: note ${note.id} has unknown note type ${note.notetype}`)
  if (note.fields.length !== notetype.flds.length) {
    throw new Error(
      `pack: note ${note.id} has ${note.fields.length} fields, ${notetype.name} has ${notetype.flds.length}`
    )
  }
  const first = note.fields[0] ?? ''
  return {
    id: integer(note.id, 'note id'),
    guid: note.guid,
    mid: notetype.id,
    mod: integer(note.mod, 'note mod'),
    // Padded so that `like '% tag %'` finds every tag; no tags → "" (§5.4).
    tags: note.tags.length === 0 ? '' : ` ${note.tags.join(' ')} `,
    // Unit separator between fields (§5.5).
    flds: note.fields.join('\u001F'),
    // Bound as text; the column's integer affinity turns numeric text into numbers, as in Anki (§5.6).
    sfld: sortField(note.fields[notetype.sortf] ?? ''),
    csum: checksum(first)
  }
}

function cardRow(card: Collection['cards'][number]): Row {
  return {
    id: integer(card.id, 'card id'),
    nid: integer(card.nid, 'card nid'),
    did: integer(card.did, 'card did'),
    ord: integer(card.ord, 'card ord'),
    mod: integer(card.mod, 'card mod'),
    // A new card: `due` is its position in the new queue.
    due: integer(card.due, 'card due')
  }
}

/** Integer columns must hold integers: a fractional JS number would be stored as REAL (§2.1). */
function integer(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new Error(`pack: ${what} ${value} is not a safe integer`)
  return value
}

function sortById<T extends {id: number}>(rows: T[]): T[] {
  return [...rows].sort((a, b) => a.id - b.id)
}

function assertRollbackJournal(bytes: Uint8Array): void {
  // Bytes 18 and 19: file format write/read version, 1 = rollback journal, 2 = WAL.
  if (bytes[18] !== 1 || bytes[19] !== 1) {
    throw new Error(`pack: database is not in rollback-journal mode (header bytes ${bytes[18]}/${bytes[19]})`)
  }
}

function zipPackage(database: Uint8Array, media: MediaFile[]): Uint8Array {
  const files = sortMedia(media)
  // Zip entry name → file name; `{}` when there is no media (the legacy importer needs the entry).
  const map = JSON.stringify(Object.fromEntries(files.map((file, index) => [String(index), file.name])))
  // Stored, not deflated: no dependence on a deflate implementation or level (§1.5, §8.2).
  return storedZip([
    {name: 'collection.anki2', data: database},
    {name: 'media', data: Buffer.from(map, 'utf8')},
    ...files.map((file, index) => ({name: String(index), data: file.data}))
  ])
}

/** Media numbered by file name, compared as UTF-8 bytes. */
function sortMedia(media: MediaFile[]): MediaFile[] {
  const sorted = [...media].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))
  sorted.forEach((file, index) => {
    if (index > 0 && sorted[index - 1]?.name === file.name) {
      throw new Error(`pack: two media files are named ${file.name}`)
    }
  })
  return sorted
}
