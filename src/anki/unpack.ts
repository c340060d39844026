/**
 * Reads a legacy `.apkg` back into plain data — zip listing, SQLite header,
 * schema, rows with their storage classes, parsed JSON and media — so tests
 * and `lint` can check a package the way Anki will read it.
 * With `pack.ts`, the only module that knows SQLite and zip.
 */
import JSZip from 'jszip'
import type {Database, SqlValue} from 'sql.js'
import {loadSqlJs} from './pack.js'

export type {SqlValue}

/** SQLite storage class of a value, as reported by `typeof()`. */
export type StorageClass = 'integer' | 'real' | 'text' | 'blob' | 'null'

/** One zip entry as listed in the central directory. */
export interface ZipEntryInfo {
  name: string
  /** Compression method: 0 stored, 8 deflate, anything else unreadable by Anki. */
  method: number
  /** General purpose flags (bit 0 encrypted, bit 3 data descriptor, bit 11 UTF-8 name). */
  flags: number
  /** The DOS timestamp, zone-less: `YYYY-MM-DD hh:mm:ss`. */
  date: string
  compressedSize: number
  size: number
}

/** What the 100-byte SQLite header says about the file. */
export interface SqliteHeaderInfo {
  pageSize: number
  /** Header byte 18: 1 = rollback journal, 2 = WAL. */
  writeVersion: number
  /** Header byte 19: 1 = rollback journal, 2 = WAL. */
  readVersion: number
  /** 1 UTF-8, 2 UTF-16le, 3 UTF-16be. */
  textEncoding: number
  /** `SQLITE_VERSION_NUMBER` of the library that last wrote the file, e.g. 3049001. */
  sqliteVersion: number
}

/** A column as declared, from `pragma table_info`. */
export interface ColumnInfo {
  name: string
  type: string
  notNull: boolean
  primaryKey: boolean
}

/** An entry of `sqlite_master`. */
export interface SchemaObject {
  type: string
  name: string
  table: string
}

/** A row: its values and the storage class of each, keyed by column name. */
export interface TableRow {
  values: Record<string, SqlValue>
  types: Record<string, StorageClass>
}

/** A JSON text column or entry: the text and what parsing it gave. */
export type JsonText =
  | {text: string; ok: true; value: unknown}
  | {text: string; ok: false; error: string}

/** The JSON columns of the `col` row. */
export interface CollectionJson {
  conf: JsonText
  models: JsonText
  decks: JsonText
  dconf: JsonText
  tags: JsonText
}

/** Everything a legacy package holds, as plain data. */
export interface UnpackedPackage {
  /** Zip entries in archive order. */
  entries: ZipEntryInfo[]
  /** The `meta` entry's protobuf `version`, when the entry exists. */
  metaVersion: number | undefined
  /** The collection entry Anki would read (§1.2). */
  collectionEntry: string
  sqlite: SqliteHeaderInfo
  /** `sqlite_master`: tables, indexes, triggers, views. */
  schemaObjects: SchemaObject[]
  /** Declared columns of every table, by table name. */
  columns: Record<string, ColumnInfo[]>
  /** Every `col` row (a valid package has exactly one). */
  col: TableRow[]
  /** The JSON columns of the first `col` row; `undefined` without one. */
  json: CollectionJson | undefined
  /** Note rows in rowid (= id) order. */
  notes: TableRow[]
  /** Card rows in rowid (= id) order. */
  cards: TableRow[]
  /** The `media` map (`undefined` when the entry is missing). */
  mediaMap: JsonText | undefined
  /** Bytes of every entry other than the collections, `meta` and `media`, by entry name. */
  mediaFiles: Map<string, Uint8Array>
}

const COLLECTION_ENTRIES = ['collection.anki2', 'collection.anki21', 'collection.anki21b']
const NON_MEDIA_ENTRIES = new Set([...COLLECTION_ENTRIES, 'meta', 'media'])

/**
 * Reads a legacy `.apkg` (`collection.anki2` or `collection.anki21`).
 *
 * @param bytes The package file.
 * @returns The package as data; malformed JSON is reported in it, not thrown.
 * @throws Error when the bytes are not a zip, hold no readable collection, use
 *   the newer zstd format, or the collection is not a SQLite database.
 */
export async function unpack(bytes: Uint8Array): Promise<UnpackedPackage> {
  const entries = listEntries(bytes)
  const zip = await openZip(bytes)
  const metaVersion = await readMetaVersion(zip)
  const collectionEntry = chooseCollection(new Set(entries.map((entry) => entry.name)), metaVersion)
  const database = await readEntry(zip, collectionEntry)
  const sqlite = readSqliteHeader(database, collectionEntry)
  const tables = await readDatabase(database, collectionEntry)
  const media = zip.file('media')
  return {
    entries,
    metaVersion,
    collectionEntry,
    sqlite,
    ...tables,
    mediaMap: media ? parseJsonBytes(await media.async('uint8array')) : undefined,
    mediaFiles: await readMediaFiles(zip)
  }
}

// ---------------------------------------------------------------------------
// Zip

const EOCD_SIGNATURE = 0x06054b50
const CENTRAL_SIGNATURE = 0x02014b50

/** Lists the central directory; JSZip does not expose methods and raw dates. */
function listEntries(bytes: Uint8Array): ZipEntryInfo[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const end = findEndOfCentralDirectory(view)
  const count = view.getUint16(end + 10, true)
  const entries: ZipEntryInfo[] = []
  const decoder = new TextDecoder()
  let offset = view.getUint32(end + 16, true)
  for (let index = 0; index < count; index++) {
    if (offset + 46 > view.byteLength || view.getUint32(offset, true) !== CENTRAL_SIGNATURE) {
      throw notAZip('its central directory is corrupt')
    }
    const nameLength = view.getUint16(offset + 28, true)
    const nameBytes = bytes.subarray(offset + 46, offset + 46 + nameLength)
    entries.push({
      name: decoder.decode(nameBytes),
      method: view.getUint16(offset + 10, true),
      flags: view.getUint16(offset + 8, true),
      date: dosDate(view.getUint16(offset + 14, true), view.getUint16(offset + 12, true)),
      compressedSize: view.getUint32(offset + 20, true),
      size: view.getUint32(offset + 24, true)
    })
    offset += 46 + nameLength + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true)
  }
  return entries
}

function findEndOfCentralDirectory(view: DataView): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  const last = view.byteLength - 22
  for (let offset = last; offset >= 0 && offset >= last - 0xffff; offset--) {
    if (view.getUint32(offset, true) === EOCD_SIGNATURE) return offset
  }
  throw notAZip('no end-of-central-directory record was found')
}

function notAZip(reason: string): Error {
  return new Error(
    `Not a zip archive (${reason}): an .apkg file is a zip; a truncated download or an HTML page saved as .apkg looks like this`
  )
}

function dosDate(date: number, time: number): string {
  const pad = (value: number): string => String(value).padStart(2, '0')
  const day = `${(date >> 9) + 1980}-${pad((date >> 5) & 15)}-${pad(date & 31)}`
  return `${day} ${pad(time >> 11)}:${pad((time >> 5) & 63)}:${pad((time & 31) * 2)}`
}

async function openZip(bytes: Uint8Array): Promise<JSZip> {
  try {
    return await JSZip.loadAsync(bytes)
  } catch (error) {
    throw notAZip(error instanceof Error ? error.message : String(error))
  }
}

async function readEntry(zip: JSZip, name: string): Promise<Uint8Array> {
  const file = zip.file(name)
  if (!file) throw new Error(`No collection: the package has no entry ${name}`)
  return file.async('uint8array')
}

async function readMediaFiles(zip: JSZip): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>()
  for (const file of Object.values(zip.files)) {
    if (!file.dir && !NON_MEDIA_ENTRIES.has(file.name)) files.set(file.name, await file.async('uint8array'))
  }
  return files
}

// ---------------------------------------------------------------------------
// Choosing the collection (§1.2, §1.3)

async function readMetaVersion(zip: JSZip): Promise<number | undefined> {
  const meta = zip.file('meta')
  return meta ? protobufVersion(await meta.async('uint8array')) : undefined
}

/** Field 1 (varint) of the `PackageMetadata` protobuf; 0 when absent, as protobuf defaults. */
function protobufVersion(bytes: Uint8Array): number {
  let version = 0
  let offset = 0
  const varint = (): number => {
    let value = 0
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[offset++]
      if (byte === undefined || shift > 49) throw new Error('Malformed meta entry: truncated varint')
      value += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) return value
    }
  }
  while (offset < bytes.length) {
    const key = varint()
    const wireType = key % 8
    if (wireType === 0) {
      const value = varint()
      if (key === 8) version = value
    } else if (wireType === 2) offset += varint()
    else if (wireType === 1) offset += 8
    else if (wireType === 5) offset += 4
    else throw new Error(`Malformed meta entry: wire type ${wireType}`)
  }
  return version
}

function chooseCollection(names: Set<string>, metaVersion: number | undefined): string {
  if (metaVersion !== undefined) return collectionForMeta(names, metaVersion)
  // Without `meta`, every importer prefers `.anki21`.
  if (names.has('collection.anki21')) return 'collection.anki21'
  if (names.has('collection.anki2')) return 'collection.anki2'
  if (names.has('collection.anki21b')) throw newerFormat()
  throw new Error('No collection: the package has neither collection.anki2 nor collection.anki21')
}

function collectionForMeta(names: Set<string>, version: number): string {
  if (version === 3) throw newerFormat()
  const name = version === 1 ? 'collection.anki2' : version === 2 ? 'collection.anki21' : undefined
  if (name === undefined) {
    throw new Error(`Unsupported package: meta version ${version} (Anki refuses it as requiring a newer version)`)
  }
  if (!names.has(name)) throw new Error(`No collection: meta version ${version} names ${name}, which is missing`)
  return name
}

function newerFormat(): Error {
  return new Error(
    'This package uses the newer Anki format (collection.anki21b, zstd-compressed, schema 18), which cannot be read here. ' +
      'Re-export it from Anki with File › Export…, "Anki Deck Package (*.apkg)", and tick "Support older Anki versions".'
  )
}

// ---------------------------------------------------------------------------
// SQLite

const SQLITE_MAGIC = 'SQLite format 3\u0000'

function readSqliteHeader(bytes: Uint8Array, entry: string): SqliteHeaderInfo {
  const magic = String.fromCharCode(...bytes.subarray(0, 16))
  if (bytes.length < 100 || magic !== SQLITE_MAGIC) {
    throw new Error(`Not a SQLite database: ${entry} does not start with the SQLite header`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const pageSize = view.getUint16(16)
  return {
    // The value 1 stands for 65536, which does not fit in two bytes.
    pageSize: pageSize === 1 ? 65_536 : pageSize,
    writeVersion: view.getUint8(18),
    readVersion: view.getUint8(19),
    textEncoding: view.getUint32(56),
    sqliteVersion: view.getUint32(96)
  }
}

type Tables = Pick<UnpackedPackage, 'schemaObjects' | 'columns' | 'col' | 'json' | 'notes' | 'cards'>

async function readDatabase(bytes: Uint8Array, entry: string): Promise<Tables> {
  const SQL = await loadSqlJs()
  // A WAL-mode file cannot be opened from memory; read a copy marked rollback-journal.
  const copy = Uint8Array.from(bytes)
  copy[18] = 1
  copy[19] = 1
  const db = new SQL.Database(copy)
  try {
    const schemaObjects = query(db, 'select type, name, tbl_name from sqlite_master order by rowid').map(
      ([type, name, table]) => ({type: String(type), name: String(name), table: String(table)})
    )
    const tables = schemaObjects.filter((object) => object.type === 'table').map((object) => object.name)
    const columns = Object.fromEntries(tables.map((table) => [table, tableInfo(db, table)]))
    const rows = (table: string): TableRow[] => readRows(db, table, columns[table] ?? [])
    const col = rows('col')
    return {schemaObjects, columns, col, json: collectionJson(col[0]), notes: rows('notes'), cards: rows('cards')}
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(`Cannot read ${entry} as a SQLite database: ${reason}`)
  } finally {
    db.close()
  }
}

function query(db: Database, sql: string): SqlValue[][] {
  const statement = db.prepare(sql)
  try {
    const rows: SqlValue[][] = []
    while (statement.step()) rows.push(statement.get())
    return rows
  } finally {
    statement.free()
  }
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`

function tableInfo(db: Database, table: string): ColumnInfo[] {
  return query(db, `pragma table_info(${quote(table)})`).map(([, name, type, notNull, , primaryKey]) => ({
    name: String(name),
    type: String(type),
    notNull: notNull === 1,
    primaryKey: primaryKey !== 0
  }))
}

function readRows(db: Database, table: string, columns: ColumnInfo[]): TableRow[] {
  if (columns.length === 0) return []
  const names = columns.map((column) => column.name)
  const select = [...names.map(quote), ...names.map((name) => `typeof(${quote(name)})`)].join(', ')
  return query(db, `select ${select} from ${quote(table)} order by rowid`).map((row) => ({
    values: Object.fromEntries(names.map((name, index) => [name, row[index] ?? null])),
    types: Object.fromEntries(names.map((name, index) => [name, row[names.length + index] as StorageClass]))
  }))
}

function collectionJson(row: TableRow | undefined): CollectionJson | undefined {
  if (!row) return undefined
  const column = (name: string): JsonText => {
    const value = row.values[name]
    return typeof value === 'string'
      ? parseJson(value)
      : {text: String(value), ok: false, error: `col.${name} is ${row.types[name] ?? 'missing'}, not text`}
  }
  return {
    conf: column('conf'),
    models: column('models'),
    decks: column('decks'),
    dconf: column('dconf'),
    tags: column('tags')
  }
}

/** The legacy importer fails on a map that is not UTF-8 (§1.4), so invalid bytes are an error too. */
function parseJsonBytes(bytes: Uint8Array): JsonText {
  try {
    return parseJson(new TextDecoder('utf-8', {fatal: true}).decode(bytes))
  } catch {
    return {text: new TextDecoder().decode(bytes), ok: false, error: 'not valid UTF-8'}
  }
}

function parseJson(text: string): JsonText {
  try {
    return {text, ok: true, value: JSON.parse(text) as unknown}
  } catch (error) {
    return {text, ok: false, error: error instanceof Error ? error.message : String(error)}
  }
}
