/**
 * Reads a legacy `.apkg` back into plain data — zip listing, SQLite header,
 * schema, rows with their storage classes, parsed JSON and media — so tests
 * and `lint` can check a package the way Anki will read it. On request it
 * also reads the newer `collection.anki21b` format (§10) for `inspect`.
 * With `pack.ts`, the only module that knows SQLite and zip.
 */
import {Buffer} from 'node:buffer'
import {decompress} from 'fzstd'
import JSZip from 'jszip'
import type {Database, SqlJsStatic, SqlValue} from 'sql.js'
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
  /**
   * Bytes of every entry other than the collections, `meta` and `media`, by
   * entry name (zstd-compressed, as stored, in the newer format).
   */
  mediaFiles: Map<string, Uint8Array>
  /** Note types and decks of a `collection.anki21b` (schema 18); `undefined` for a legacy package. */
  schema18: Schema18 | undefined
  /** The newer format's media list (§10), entry i ↔ zip entry `i`; `undefined` for a legacy package. */
  mediaEntries: MediaEntry[] | undefined
}

/** How {@link unpack} reads a package. */
export interface UnpackOptions {
  /**
   * Read the newer format (`meta` version 3: `collection.anki21b`, zstd,
   * schema 18) instead of refusing it. Optional; default `false`, since every
   * check of `lint` is about the legacy format.
   */
  newer?: boolean
}

/** A note type of a schema-18 collection, from its `notetypes`, `fields` and `templates` tables. */
export interface Schema18Notetype {
  id: number
  name: string
  /** `Notetype.Config.kind`: 0 standard, 1 cloze. */
  kind: number
  /** `Notetype.Config.css`. */
  css: string
  /** Field names in ord order. */
  fields: string[]
  /** Templates in ord order; formats from `Template.Config` (`q_format`, `a_format`). */
  templates: Array<{name: string; qfmt: string; afmt: string}>
}

/** What a schema-18 collection keeps in its own tables instead of `col` JSON (§10). */
export interface Schema18 {
  notetypes: Schema18Notetype[]
  /** Decks by id, names with `::` between levels (the table stores U+001F). */
  decks: Array<{id: number; name: string}>
}

/** One `MediaEntry` of the newer format's `media` protobuf (§10). */
export interface MediaEntry {
  name: string
  /** Uncompressed size in bytes. */
  size: number
  /** SHA-1 of the uncompressed file, hex. */
  sha1: string
}

/** The package is in the newer format and {@link UnpackOptions.newer} was not set. */
export class NewerFormatError extends Error {}

const NEWER_COLLECTION = 'collection.anki21b'
const COLLECTION_ENTRIES = ['collection.anki2', 'collection.anki21', NEWER_COLLECTION]
const NON_MEDIA_ENTRIES = new Set([...COLLECTION_ENTRIES, 'meta', 'media'])

/**
 * Reads a legacy `.apkg` (`collection.anki2` or `collection.anki21`), and with
 * `{newer: true}` also the newer `collection.anki21b` format.
 *
 * @param bytes The package file.
 * @param options Optional; see {@link UnpackOptions}.
 * @returns The package as data; malformed JSON is reported in it, not thrown.
 * @throws NewerFormatError for the newer zstd format without `newer`.
 * @throws Error when the bytes are not a zip, hold no readable collection, or
 *   the collection is not a SQLite database (or, newer format, not zstd).
 */
export async function unpack(bytes: Uint8Array, options: UnpackOptions = {}): Promise<UnpackedPackage> {
  const entries = listEntries(bytes)
  const zip = await openZip(bytes)
  const metaVersion = await readMetaVersion(zip)
  const names = new Set(entries.map((entry) => entry.name))
  const collectionEntry = chooseCollection(names, metaVersion, options.newer ?? false)
  const newer = collectionEntry === NEWER_COLLECTION
  const stored = await readEntry(zip, collectionEntry)
  const database = newer ? unzstd(stored, collectionEntry) : stored
  const sqlite = readSqliteHeader(database, collectionEntry)
  const tables = await readDatabase(database, collectionEntry, newer)
  const media = zip.file('media')
  const mediaBytes = media ? await media.async('uint8array') : undefined
  return {
    entries,
    metaVersion,
    collectionEntry,
    sqlite,
    ...tables,
    mediaMap: mediaBytes && !newer ? parseJsonBytes(mediaBytes) : undefined,
    mediaFiles: await readMediaFiles(zip),
    mediaEntries: mediaBytes && newer ? mediaEntries(unzstd(mediaBytes, 'media')) : undefined
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
  return varintField(protobufFields(bytes, 'meta entry'), 1) ?? 0
}

/** One field of a protobuf message: varints as numbers, length-delimited values as bytes. */
interface ProtobufField {
  field: number
  value: number | Uint8Array
}

/**
 * Splits a protobuf message into its fields, in wire order (fixed-width
 * values are skipped). Varints above 2^53 lose precision, which no value
 * read here reaches.
 */
function protobufFields(bytes: Uint8Array, what: string): ProtobufField[] {
  const fields: ProtobufField[] = []
  let offset = 0
  const varint = (): number => {
    let value = 0
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[offset++]
      if (byte === undefined || shift > 63) throw new Error(`Malformed ${what}: truncated varint`)
      value += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) return value
    }
  }
  while (offset < bytes.length) {
    const key = varint()
    const field = Math.floor(key / 8)
    const wireType = key % 8
    if (wireType === 0) fields.push({field, value: varint()})
    else if (wireType === 2) {
      const length = varint()
      if (offset + length > bytes.length) throw new Error(`Malformed ${what}: truncated field ${field}`)
      fields.push({field, value: bytes.subarray(offset, offset + length)})
      offset += length
    } else if (wireType === 1) offset += 8
    else if (wireType === 5) offset += 4
    else throw new Error(`Malformed ${what}: wire type ${wireType}`)
  }
  return fields
}

/** The last value of a varint field (protobuf: the last one wins). */
function varintField(fields: ProtobufField[], field: number): number | undefined {
  const value = lastValue(fields, field)
  return typeof value === 'number' ? value : undefined
}

/** The last value of a string field, `''` when absent (protobuf's default). */
function stringField(fields: ProtobufField[], field: number): string {
  const value = lastValue(fields, field)
  return value instanceof Uint8Array ? new TextDecoder().decode(value) : ''
}

function lastValue(fields: ProtobufField[], field: number): ProtobufField['value'] | undefined {
  let value: ProtobufField['value'] | undefined
  for (const entry of fields) if (entry.field === field) value = entry.value
  return value
}

function chooseCollection(names: Set<string>, metaVersion: number | undefined, newer: boolean): string {
  if (metaVersion !== undefined) return collectionForMeta(names, metaVersion, newer)
  // Without `meta`, every importer prefers `.anki21`.
  if (names.has('collection.anki21')) return 'collection.anki21'
  if (names.has('collection.anki2')) return 'collection.anki2'
  if (names.has(NEWER_COLLECTION)) {
    if (newer) return NEWER_COLLECTION
    throw newerFormat()
  }
  throw new Error('No collection: the package has neither collection.anki2 nor collection.anki21')
}

function collectionForMeta(names: Set<string>, version: number, newer: boolean): string {
  if (version === 3 && !newer) throw newerFormat()
  const name =
    version === 1 ? 'collection.anki2' : version === 2 ? 'collection.anki21' : version === 3 ? NEWER_COLLECTION : undefined
  if (name === undefined) {
    throw new Error(`Unsupported package: meta version ${version} (Anki refuses it as requiring a newer version)`)
  }
  if (!names.has(name)) throw new Error(`No collection: meta version ${version} names ${name}, which is missing`)
  return name
}

function newerFormat(): Error {
  return new NewerFormatError(
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

type Tables = Pick<UnpackedPackage, 'schemaObjects' | 'columns' | 'col' | 'json' | 'notes' | 'cards' | 'schema18'>

async function readDatabase(bytes: Uint8Array, entry: string, newer: boolean): Promise<Tables> {
  const SQL = await loadSqlJs()
  // A WAL-mode file cannot be opened from memory; read a copy marked rollback-journal.
  const copy = Uint8Array.from(bytes)
  copy[18] = 1
  copy[19] = 1
  const db = newer ? withoutUnicase(SQL, copy, entry) : new SQL.Database(copy)
  try {
    const schemaObjects = query(db, 'select type, name, tbl_name from sqlite_master order by rowid').map(
      ([type, name, table]) => ({type: String(type), name: String(name), table: String(table)})
    )
    const tables = schemaObjects.filter((object) => object.type === 'table').map((object) => object.name)
    const columns = Object.fromEntries(tables.map((table) => [table, tableInfo(db, table)]))
    const rows = (table: string): TableRow[] => readRows(db, table, columns[table] ?? [])
    const col = rows('col')
    return {
      schemaObjects,
      columns,
      col,
      // Schema 18 keeps these columns but leaves them empty: the tables below hold the data.
      json: newer ? undefined : collectionJson(col[0]),
      notes: rows('notes'),
      cards: rows('cards'),
      schema18: newer ? readSchema18(db) : undefined
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(`Cannot read ${entry} as a SQLite database: ${reason}`)
  } finally {
    db.close()
  }
}

/**
 * Anki declares the schema-18 name columns `collate unicase`, a collation of
 * its own that sql.js cannot register, and scanning a WITHOUT ROWID table
 * keyed on such a column (`fields`, `templates`) fails without it. For
 * reading only, the declaration is renamed to `nocase` in a copy of the
 * schema; the rows are untouched.
 */
function withoutUnicase(SQL: SqlJsStatic, bytes: Uint8Array, entry: string): Database {
  const db = new SQL.Database(bytes)
  try {
    db.run('pragma writable_schema = on')
    db.run("update sqlite_master set sql = replace(sql, 'unicase', 'nocase') where sql like '%unicase%'")
    return new SQL.Database(db.export())
  } catch (error) {
    throw new Error(`Cannot read ${entry} as a SQLite database: ${error instanceof Error ? error.message : String(error)}`)
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

// ---------------------------------------------------------------------------
// The newer format (§10)

const ZSTD_MAGIC = 0xfd2fb528

/** Decompresses a zstd entry of the newer format. */
function unzstd(bytes: Uint8Array, entry: string): Uint8Array {
  const magic = bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) : 0
  if (magic !== ZSTD_MAGIC) throw new Error(`Not zstd data: ${entry} does not start with a zstd frame`)
  try {
    return decompress(bytes)
  } catch (error) {
    throw new Error(`Cannot decompress ${entry} (zstd): ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** `MediaEntries { repeated MediaEntry entries = 1 }`, `MediaEntry { name = 1; size = 2; sha1 = 3 }`. */
function mediaEntries(bytes: Uint8Array): MediaEntry[] {
  return protobufFields(bytes, 'media entry').flatMap(({field, value}) => {
    if (field !== 1 || typeof value === 'number') return []
    const entry = protobufFields(value, 'media entry')
    const sha1 = lastValue(entry, 3)
    return [
      {
        name: stringField(entry, 1),
        size: varintField(entry, 2) ?? 0,
        sha1: sha1 instanceof Uint8Array ? Buffer.from(sha1).toString('hex') : ''
      }
    ]
  })
}

/**
 * Note types and decks from the schema-18 tables. `fields` and `templates`
 * are WITHOUT ROWID tables, so rows are ordered by their keys; the `name`
 * columns' `unicase` collation (Anki's own) is never invoked by these queries.
 */
function readSchema18(db: Database): Schema18 {
  const byNotetype = <T>(rows: Array<[number, T]>): Map<number, T[]> => {
    const map = new Map<number, T[]>()
    for (const [ntid, value] of rows) map.set(ntid, [...(map.get(ntid) ?? []), value])
    return map
  }
  const fields = byNotetype(
    query(db, 'select ntid, name from fields order by ntid, ord').map(([ntid, name]): [number, string] => [Number(ntid), String(name)])
  )
  const templates = byNotetype(
    query(db, 'select ntid, name, config from templates order by ntid, ord').map(([ntid, name, config]) => {
      // `Notetype.Template.Config { string q_format = 1; string a_format = 2; … }`
      const parts = protobufFields(blob(config), 'template config')
      const template = {name: String(name), qfmt: stringField(parts, 1), afmt: stringField(parts, 2)}
      return [Number(ntid), template] as [number, Schema18Notetype['templates'][number]]
    })
  )
  const notetypes = query(db, 'select id, name, config from notetypes order by id').map(([id, name, config]) => {
    // `Notetype.Config { Kind kind = 1; uint32 sort_field_idx = 2; string css = 3; … }`
    const parts = protobufFields(blob(config), 'note type config')
    return {
      id: Number(id),
      name: String(name),
      kind: varintField(parts, 1) ?? 0,
      css: stringField(parts, 3),
      fields: fields.get(Number(id)) ?? [],
      templates: templates.get(Number(id)) ?? []
    }
  })
  const decks = query(db, 'select id, name from decks order by id').map(([id, name]) => ({
    id: Number(id),
    name: String(name).replaceAll('\u001F', '::')
  }))
  return {notetypes, decks}
}

const blob = (value: SqlValue | undefined): Uint8Array => (value instanceof Uint8Array ? value : new Uint8Array())

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
