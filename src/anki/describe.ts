/**
 * What a package holds, as a reader wants to see it: decks, note types, notes
 * with their fields as plain text, cards and media. Works on any package
 * `unpack` can read — ours, another tool's, or Anki's own newer format — and
 * describes what it can of a malformed one instead of failing.
 */
import {stripHtml} from './checksum.js'
import type {TableRow, UnpackedPackage} from './unpack.js'

/** A deck and how many cards of the package are in it. */
export interface DeckDescription {
  id: number
  /** Full name, `::` between levels. */
  name: string
  cards: number
}

/** A card template: its name and question and answer formats. */
export interface TemplateDescription {
  name: string
  qfmt: string
  afmt: string
}

/** A note type. */
export interface NotetypeDescription {
  id: number
  name: string
  kind: 'standard' | 'cloze'
  /** Field names in order. */
  fields: string[]
  templates: TemplateDescription[]
}

/** A note with its fields as plain text. */
export interface NoteDescription {
  id: number
  guid: string
  /** Note type id. */
  notetype: number
  tags: string[]
  /** Fields in order; named after the note type's fields (`Field N` past them). */
  fields: Array<{name: string; text: string}>
}

/** A card row. */
export interface CardDescription {
  id: number
  /** Note id. */
  note: number
  /** Deck id. */
  deck: number
  /** Template index, or cloze number − 1. */
  ord: number
  due: number
  /** Anki's queue: 0 new, 1 learning, 2 review, 3 day learning, 4 preview, -1 suspended, -2/-3 buried. */
  queue: number
}

/** Everything {@link describePackage} reports, in a fixed key order (it is `inspect --json`). */
export interface PackageDescription {
  /** `legacy` (schema 11, JSON in `col`) or `anki21b` (zstd, schema 18, §10). */
  format: 'legacy' | 'anki21b'
  /** The collection entry read. */
  collection: string
  /** `col.ver`. */
  schema: number | null
  decks: DeckDescription[]
  notetypes: NotetypeDescription[]
  notes: NoteDescription[]
  cards: CardDescription[]
  /** Media file name → size in bytes (`null` when its zip entry is missing). */
  media: Record<string, number | null>
  /** What the package holds that this description does not decode. */
  notDecoded: string[]
  /** Parts that could not be read (the rest is still described). */
  problems: string[]
}

/** Queue numbers as Anki names them (rslib/src/card/mod.rs `CardQueue`). */
export const QUEUE_NAMES: Record<number, string> = {
  0: 'new',
  1: 'learning',
  2: 'review',
  3: 'day-learning',
  4: 'preview',
  [-1]: 'suspended',
  [-2]: 'buried',
  [-3]: 'buried'
}

/** What a schema-18 collection keeps in protobuf blobs that {@link describePackage} leaves alone. */
const SCHEMA18_NOT_DECODED = [
  'deck options (deck_config table)',
  'collection settings (config table)',
  'deck descriptions and filtered-deck settings (decks.common, decks.kind)',
  'field options (fields.config)'
]

/**
 * Describes an unpacked package.
 *
 * @param pkg A package as read by `unpack` (with `{newer: true}` for the newer format).
 * @returns Plain data; JSON-serialisable with a stable key order.
 */
export function describePackage(pkg: UnpackedPackage): PackageDescription {
  const problems: string[] = []
  const legacy = pkg.schema18 === undefined
  const notetypes = legacy ? legacyNotetypes(pkg, problems) : (pkg.schema18?.notetypes ?? []).map(schema18Notetype)
  const deckNames = legacy ? legacyDecks(pkg, problems) : (pkg.schema18?.decks ?? [])
  const cards = pkg.cards.map(card)
  const fieldNames = new Map(notetypes.map((notetype) => [notetype.id, notetype.fields]))
  return {
    format: legacy ? 'legacy' : 'anki21b',
    collection: pkg.collectionEntry,
    schema: integer(pkg.col[0]?.values['ver']) ?? null,
    decks: deckNames.map(({id, name}) => ({id, name, cards: cards.filter((item) => item.deck === id).length})),
    notetypes,
    notes: pkg.notes.map((row) => note(row, fieldNames)),
    cards,
    media: legacy ? legacyMedia(pkg, problems) : Object.fromEntries((pkg.mediaEntries ?? []).map((entry) => [entry.name, entry.size])),
    notDecoded: legacy ? [] : SCHEMA18_NOT_DECODED,
    problems
  }
}

/**
 * A field's HTML as one line of plain text: block boundaries become spaces,
 * tags go (media tags leave their file name), entities are decoded.
 *
 * @param html A field value.
 */
export function fieldText(html: string): string {
  const spaced = html.replace(/<(?:br|hr|\/?(?:p|div|li|ul|ol|tr|td|th|h[1-6]|blockquote|pre|table))\b[^>]*>/gi, ' ')
  return stripHtml(spaced).replace(/\s+/g, ' ').trim()
}

type JsonObject = Record<string, unknown>

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const integer = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined

const text = (value: unknown): string => (typeof value === 'string' ? value : '')

/** The objects of a JSON column; a problem when it is not a JSON object. */
function jsonObjects(column: 'models' | 'decks', pkg: UnpackedPackage, problems: string[]): Array<[string, JsonObject]> {
  const json = pkg.json?.[column]
  if (!json) {
    problems.push(`col.${column} is missing`)
    return []
  }
  if (!json.ok) {
    problems.push(`col.${column} is not valid JSON: ${json.error}`)
    return []
  }
  if (!isObject(json.value)) {
    problems.push(`col.${column} is not a JSON object`)
    return []
  }
  return Object.entries(json.value).filter((entry): entry is [string, JsonObject] => isObject(entry[1]))
}

function legacyNotetypes(pkg: UnpackedPackage, problems: string[]): NotetypeDescription[] {
  return jsonObjects('models', pkg, problems).map(([key, model]) => {
    const list = (name: string): JsonObject[] => (Array.isArray(model[name]) ? (model[name] as unknown[]).filter(isObject) : [])
    return {
      id: integer(model['id']) ?? Number(key),
      name: text(model['name']),
      kind: model['type'] === 1 ? 'cloze' : 'standard',
      fields: list('flds').map((field) => text(field['name'])),
      templates: list('tmpls').map((template) => ({
        name: text(template['name']),
        qfmt: text(template['qfmt']),
        afmt: text(template['afmt'])
      }))
    }
  })
}

function legacyDecks(pkg: UnpackedPackage, problems: string[]): Array<{id: number; name: string}> {
  return jsonObjects('decks', pkg, problems).map(([key, deck]) => ({id: integer(deck['id']) ?? Number(key), name: text(deck['name'])}))
}

function schema18Notetype(notetype: NonNullable<UnpackedPackage['schema18']>['notetypes'][number]): NotetypeDescription {
  return {
    id: notetype.id,
    name: notetype.name,
    kind: notetype.kind === 1 ? 'cloze' : 'standard',
    fields: notetype.fields,
    templates: notetype.templates
  }
}

function note(row: TableRow, fieldNames: Map<number, string[]>): NoteDescription {
  const notetype = integer(row.values['mid']) ?? 0
  const names = fieldNames.get(notetype) ?? []
  return {
    id: integer(row.values['id']) ?? 0,
    guid: text(row.values['guid']),
    notetype,
    tags: text(row.values['tags']).split(/\s+/).filter((tag) => tag !== ''),
    fields: text(row.values['flds'])
      .split('\u001F')
      .map((value, index) => ({name: names[index] ?? `Field ${index + 1}`, text: fieldText(value)}))
  }
}

function card(row: TableRow): CardDescription {
  const value = (column: string): number => integer(row.values[column]) ?? 0
  return {id: value('id'), note: value('nid'), deck: value('did'), ord: value('ord'), due: value('due'), queue: value('queue')}
}

function legacyMedia(pkg: UnpackedPackage, problems: string[]): Record<string, number | null> {
  const map = pkg.mediaMap
  if (!map) return {}
  if (!map.ok || !isObject(map.value)) {
    problems.push(map.ok ? 'the media map is not a JSON object' : `the media map is not valid JSON: ${map.error}`)
    return {}
  }
  return Object.fromEntries(
    Object.entries(map.value).map(([key, name]) => {
      const data = pkg.mediaFiles.get(key)
      if (!data) problems.push(`media file ${JSON.stringify(name)} (zip entry ${key}) is missing`)
      return [String(name), data ? data.length : null]
    })
  )
}
