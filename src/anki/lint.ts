/**
 * Checks an unpacked package against every rule of anki-apkg-format.md a
 * generator can break: the zip entries and media map, the database layout,
 * the `col` JSON, and every note and card row — including that each note has
 * exactly the cards Anki would generate for it.
 */
import {Buffer} from 'node:buffer'
import {createHash} from 'node:crypto'
import {stripHtml} from './checksum.js'
import {DEFAULT_DECK_ID, FORBIDDEN_NAMES, INDEXES, SCHEMA_VERSION, TABLES} from './format.js'
import type {StorageClass, TableRow, UnpackedPackage} from './unpack.js'

/** One broken rule. */
export interface Violation {
  /** A rule id of {@link LINT_RULES}. */
  rule: string
  /** What was found and what was expected. */
  message: string
}

/** Every rule {@link lint} checks: id → what it requires (with the § of the format document). */
export const LINT_RULES = {
  'zip-collection': 'the zip holds collection.anki2 or collection.anki21 (§1.6)',
  'zip-both-collections': 'not both collection.anki2 and collection.anki21: Anki 2.1.0–2.1.21 fail (§1.7)',
  'zip-meta': 'no meta entry in a generated legacy package (§1.3, §11)',
  'zip-compression': 'entries are stored or deflated (§1.5)',
  'zip-encrypted': 'no encrypted entries (§1.5)',
  'zip-duplicate-entry': 'entry names are unique',
  'zip-unexpected-entry': 'only the collection, media, and the numbered media files (§1.1)',
  'media-missing': 'a media entry exists, `{}` when empty (§1.4)',
  'media-json': 'the media map is a UTF-8 JSON object of strings (§1.4)',
  'media-key': 'media map keys are canonical decimals (§1.4)',
  'media-entry': 'every media map key has its zip entry (§1.4)',
  'media-name': 'media names are bare file names (§1.4)',
  'media-name-normal': 'media names are already what Anki normalises them to (§1.4)',
  'media-name-duplicate': 'media names are unique',
  'sqlite-journal': 'rollback journal: header bytes 18/19 are 1 (§2.1)',
  'sqlite-encoding': 'UTF-8 text encoding (§2.1)',
  'schema-table': 'the five schema-11 tables exist (§2)',
  'schema-column': 'each table has its schema-11 columns with their declared types (§2)',
  'schema-index': 'the seven ix_ indexes exist (§2.7)',
  'schema-extra': 'no other tables, indexes, views or triggers (§11)',
  'schema-forbidden': 'no names the schema upgrade creates (§2.8)',
  'col-row': 'col has exactly one row (§2.2)',
  'col-ver': 'col.ver is 11 (§1.6)',
  'col-json': 'col.conf, models, decks, dconf and tags are JSON objects (§1.6)',
  'column-type': 'integer columns hold integers, text columns text (§2.1)',
  'notetype-key': 'note types, fields and templates have every key the current loader requires (§3.2–3.4)',
  'notetype-legacy-key': 'note types, fields and templates have the keys older clients read (§3.2–3.4, §9.2)',
  'notetype-id': 'note type map key equals its positive integer id (§3.1)',
  'notetype-name': 'note type names are non-empty and unique (§3.7)',
  'notetype-type': 'note type `type` is 0 or 1 (§3.2)',
  'notetype-mod': 'note type `mod` is an integer (§3.2)',
  'notetype-sortf': 'note type `sortf` names a field (§3.2)',
  'notetype-fields': 'a note type has at least one field (§3.2)',
  'notetype-templates': 'a note type has at least one template, with unique non-empty names (§3.2, §3.7)',
  'notetype-ord': 'field and template `ord` equal their index (§3.3, §3.4)',
  'notetype-cloze': 'a cloze note type has exactly one template, using {{cloze:…}} (§3.6, §6.2)',
  'notetype-req': '`req` matches the templates (§3.5)',
  'template-syntax': 'template sections are balanced (§6.2)',
  'field-name': 'field names are non-empty, unique and survive import unchanged (§3.7)',
  'deck-key': 'decks have every required key, including desc (§4.1)',
  'deck-id': 'deck map key equals the deck id (§4.1)',
  'deck-default': 'deck 1 "Default" is present (§4.3)',
  'deck-conf': 'a deck’s `conf` exists in dconf (§4.4)',
  'deck-name': 'deck name components are non-empty and trimmed (§4.2)',
  'deck-parent': 'every parent deck is in the package (§4.2)',
  'deck-name-duplicate': 'deck names are unique, ignoring case (§4.2)',
  'dconf-key': 'option groups have every required key and sub-key (§4.4)',
  'dconf-legacy-key': 'option groups have the keys old AnkiDroid needs (§4.4)',
  'note-id': 'note ids are integers in (0, 2^53) (§5.1)',
  'note-guid': 'guids are non-empty (§5.2)',
  'note-guid-duplicate': 'guids are unique in the package (§5.2)',
  'note-mid': 'a note’s `mid` is a note type of the package (§1.6)',
  'note-field-count': 'a note has as many fields as its note type (§1.6)',
  'note-mod': '`notes.mod` is an integer in seconds (§5.3)',
  'note-tags': 'tags are "" or " a b " (§5.4)',
  'note-sfld': '`sfld` is the stripped sort field (§5.6)',
  'note-csum': '`csum` is the checksum of the stripped first field (§5.6)',
  'note-control-char': 'fields contain no control characters but tab and newline (§5.5)',
  'note-nfc': 'fields are NFC (§5.5)',
  'card-id': 'card ids are integers in (0, 2^53) (§6.1)',
  'card-id-duplicate': 'card ids are unique (§6.1)',
  'card-nid': 'a card’s note exists (§6.1)',
  'card-did': 'a card’s deck is in col.decks (§4.3)',
  'card-default-deck': 'no card is in deck 1 (§4.3)',
  'card-mod': '`cards.mod` is an integer in seconds (§2.4)',
  'card-new': 'cards are new: type, queue and scheduling columns 0 (§6.1)',
  'card-due': '0 ≤ due < 1 000 000 (§6.1)',
  'card-due-shared': 'all cards of a note share `due` (§6.1)',
  'card-ord': 'every card is one Anki would generate (§6.2)',
  'card-duplicate': 'a note has at most one card per ord (§6.2)',
  'card-missing': 'every card Anki would generate exists (§6.2)',
  'cloze-none': 'a cloze note has at least one deletion (§6.2)',
  'cloze-outside-field': 'cloze numbers appear in the cloze field, not only in other fields (§6.2)'
} as const

/** A rule id. */
export type LintRule = keyof typeof LINT_RULES

/**
 * Checks a package; an empty list means it follows every rule.
 *
 * @param pkg A package as read by `unpack`.
 * @returns The violations, package-level checks first, then notes, then cards.
 */
export function lint(pkg: UnpackedPackage): Violation[] {
  const context = buildContext(pkg)
  return CHECKS.flatMap((check) => check(pkg, context))
}

const violation = (rule: LintRule, message: string): Violation => ({rule, message})

/** `[violation]` when `broken`, else `[]`: lets a check list its rules as one array. */
const when = (broken: boolean, rule: LintRule, message: string): Violation[] =>
  broken ? [violation(rule, message)] : []

// ---------------------------------------------------------------------------
// A typed view of the package

type JsonObject = Record<string, unknown>

interface TemplateField {
  kind: 'field'
  name: string
  filters: string[]
}

interface TemplateSection {
  kind: 'section'
  name: string
  negated: boolean
  children: TemplateNode[]
}

type TemplateNode = TemplateField | TemplateSection

interface NotetypeView {
  key: string
  raw: JsonObject
  name: string
  isCloze: boolean
  sortf: number
  fieldNames: string[]
  fields: unknown[]
  templates: unknown[]
  /** Parsed question of each template; `undefined` when unbalanced. */
  questions: Array<TemplateNode[] | undefined>
}

interface NoteView {
  id: number | undefined
  row: TableRow
  notetype: NotetypeView | undefined
  fields: string[]
  tags: string
}

interface CardView {
  id: number | undefined
  row: TableRow
  nid: number | undefined
  did: number | undefined
  ord: number | undefined
  due: number | undefined
}

interface Context {
  notetypes: Map<string, NotetypeView>
  decks: Map<string, JsonObject>
  dconf: Map<string, JsonObject>
  notes: NoteView[]
  cards: CardView[]
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value)

const numberAt = (row: TableRow, column: string): number | undefined => {
  const value = row.values[column]
  return typeof value === 'number' ? value : undefined
}

const stringAt = (row: TableRow, column: string): string => {
  const value = row.values[column]
  return typeof value === 'string' ? value : ''
}

function jsonMap(text: {ok: true; value: unknown} | {ok: false} | undefined): Map<string, unknown> {
  return text?.ok && isObject(text.value) ? new Map(Object.entries(text.value)) : new Map()
}

function objectsOf(map: Map<string, unknown>): Map<string, JsonObject> {
  return new Map([...map].filter((entry): entry is [string, JsonObject] => isObject(entry[1])))
}

function buildContext(pkg: UnpackedPackage): Context {
  const models = objectsOf(jsonMap(pkg.json?.models))
  const notetypes = new Map([...models].map(([key, raw]) => [key, notetypeView(key, raw)]))
  const notes = pkg.notes.map((row): NoteView => {
    const mid = numberAt(row, 'mid')
    return {
      id: numberAt(row, 'id'),
      row,
      notetype: mid === undefined ? undefined : notetypes.get(String(mid)),
      fields: stringAt(row, 'flds').split('\u001F'),
      tags: stringAt(row, 'tags')
    }
  })
  const cards = pkg.cards.map(
    (row): CardView => ({
      id: numberAt(row, 'id'),
      row,
      nid: numberAt(row, 'nid'),
      did: numberAt(row, 'did'),
      ord: numberAt(row, 'ord'),
      due: numberAt(row, 'due')
    })
  )
  return {
    notetypes,
    decks: objectsOf(jsonMap(pkg.json?.decks)),
    dconf: objectsOf(jsonMap(pkg.json?.dconf)),
    notes,
    cards
  }
}

function notetypeView(key: string, raw: JsonObject): NotetypeView {
  const fields = Array.isArray(raw['flds']) ? (raw['flds'] as unknown[]) : []
  const templates = Array.isArray(raw['tmpls']) ? (raw['tmpls'] as unknown[]) : []
  return {
    key,
    raw,
    name: typeof raw['name'] === 'string' ? raw['name'] : '',
    isCloze: raw['type'] === 1,
    sortf: isInteger(raw['sortf']) ? raw['sortf'] : 0,
    fieldNames: fields.map((field) => (isObject(field) && typeof field['name'] === 'string' ? field['name'] : '')),
    fields,
    templates,
    questions: templates.map((template) =>
      parseTemplate(isObject(template) && typeof template['qfmt'] === 'string' ? template['qfmt'] : '')
    )
  }
}

type Check = (pkg: UnpackedPackage, context: Context) => Violation[]

// ---------------------------------------------------------------------------
// Zip entries and media (§1)

const COLLECTIONS = ['collection.anki2', 'collection.anki21']

function checkCollectionEntries(pkg: UnpackedPackage): Violation[] {
  const names = new Set(pkg.entries.map((entry) => entry.name))
  const present = COLLECTIONS.filter((name) => names.has(name))
  return [
    ...when(present.length === 0, 'zip-collection', 'no collection.anki2 or collection.anki21 entry'),
    ...when(present.length === 2, 'zip-both-collections', 'both collection.anki2 and collection.anki21 are present'),
    ...when(names.has('meta'), 'zip-meta', `a meta entry (version ${pkg.metaVersion}) is present`)
  ]
}

function checkZipEntries(pkg: UnpackedPackage): Violation[] {
  const expected = new Set([...COLLECTIONS, 'media', 'meta', ...jsonMap(pkg.mediaMap).keys()])
  const seen = new Set<string>()
  return pkg.entries.flatMap(({name, method, flags}) => {
    const duplicate = seen.has(name)
    seen.add(name)
    return [
      ...when(method !== 0 && method !== 8, 'zip-compression', `${name} uses method ${method}, expected 0 or 8`),
      ...when((flags & 1) !== 0, 'zip-encrypted', `${name} is encrypted`),
      ...when(duplicate, 'zip-duplicate-entry', `${name} appears twice`),
      ...when(!expected.has(name), 'zip-unexpected-entry', `${name} is no collection, media map or media file`)
    ]
  })
}

function checkMediaMap(pkg: UnpackedPackage): Violation[] {
  const map = pkg.mediaMap
  if (!map) return [violation('media-missing', 'no media entry; write {} when there is no media')]
  if (!map.ok) return [violation('media-json', `media is not valid JSON: ${map.error}`)]
  if (!isObject(map.value)) return [violation('media-json', 'media is not a JSON object')]
  const entries = new Set(pkg.entries.map((entry) => entry.name))
  const names = new Set<string>()
  return Object.entries(map.value).flatMap(([key, name]) => {
    if (typeof name !== 'string') return [violation('media-json', `media["${key}"] is not a string`)]
    const duplicate = names.has(name)
    names.add(name)
    return [
      ...checkMediaKey(key, entries),
      ...checkMediaName(key, name),
      ...when(duplicate, 'media-name-duplicate', `${name} is in the media map twice`)
    ]
  })
}

function checkMediaKey(key: string, entries: Set<string>): Violation[] {
  if (!/^(?:0|[1-9]\d*)$/.test(key)) return [violation('media-key', `media key "${key}" is not a canonical decimal`)]
  return when(!entries.has(key), 'media-entry', `media key "${key}" has no zip entry`)
}

/** Anki's `filename_is_safe`: exactly one normal path component. */
function isBareName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\]/.test(name) && !/^[A-Za-z]:/.test(name)
}

/** What Anki's media-name normalisation would change (rslib/src/media/files.rs). */
function mediaNameChange(name: string): string | undefined {
  if (name.normalize('NFC') !== name) return 'is not NFC'
  if (/[[\]<>:"/?*^\\|\p{Cc}\p{Cn}\u00A0]/u.test(name)) return 'contains a character Anki removes or replaces'
  if (/^(?:con|prn|aux|nul|com[1-9]|lpt[1-9])(?:\..*)?$/i.test(name)) return 'is a Windows device name'
  if (/[ .]$/.test(name)) return 'ends in a space or a dot'
  if (Buffer.byteLength(name) > 120) return 'is longer than 120 bytes'
  return undefined
}

function checkMediaName(key: string, name: string): Violation[] {
  if (!isBareName(name)) return [violation('media-name', `media["${key}"] = "${name}" is not a bare file name`)]
  const change = mediaNameChange(name)
  return when(change !== undefined, 'media-name-normal', `media name "${name}" ${change}`)
}

// ---------------------------------------------------------------------------
// Database layout and the col row (§2)

function checkSqliteHeader(pkg: UnpackedPackage): Violation[] {
  const {writeVersion: write, readVersion: read, textEncoding} = pkg.sqlite
  return [
    ...when(write !== 1 || read !== 1, 'sqlite-journal', `header bytes 18/19 are ${write}/${read}, expected 1/1`),
    ...when(textEncoding !== 1, 'sqlite-encoding', `text encoding ${textEncoding}, expected 1 (UTF-8)`)
  ]
}

function checkTables(pkg: UnpackedPackage): Violation[] {
  return TABLES.flatMap((table) => {
    const columns = pkg.columns[table.name]
    if (!columns) return [violation('schema-table', `table ${table.name} is missing`)]
    return table.columns.flatMap((spec) => {
      const where = `${table.name}.${spec.name}`
      const column = columns.find((candidate) => candidate.name === spec.name)
      if (!column) return [violation('schema-column', `column ${where} is missing`)]
      const type = column.type.toLowerCase()
      return when(type !== spec.type, 'schema-column', `${where} is declared ${column.type}, expected ${spec.type}`)
    })
  })
}

function checkSchemaObjects(pkg: UnpackedPackage): Violation[] {
  const known = new Set([...TABLES.map((table) => table.name), ...INDEXES.map((index) => index.name)])
  const present = new Set(pkg.schemaObjects.map((object) => object.name))
  const forbidden = new Set(FORBIDDEN_NAMES)
  return [
    ...INDEXES.flatMap((index) => when(!present.has(index.name), 'schema-index', `index ${index.name} is missing`)),
    ...pkg.schemaObjects.flatMap(({type, name}) =>
      forbidden.has(name.toLowerCase())
        ? [violation('schema-forbidden', `${type} ${name} would collide with Anki's schema upgrade`)]
        : when(!known.has(name) && !name.startsWith('sqlite_'), 'schema-extra', `unexpected ${type} ${name}`)
    )
  ]
}

function checkColRow(pkg: UnpackedPackage): Violation[] {
  const ver = pkg.col[0]?.values['ver']
  return [
    ...when(pkg.col.length !== 1, 'col-row', `col has ${pkg.col.length} rows, expected 1`),
    ...when(ver !== undefined && ver !== SCHEMA_VERSION, 'col-ver', `col.ver is ${String(ver)}, expected 11`),
    ...Object.entries(pkg.json ?? {}).flatMap(([column, text]) =>
      text.ok
        ? when(!isObject(text.value), 'col-json', `col.${column} is not a JSON object`)
        : [violation('col-json', `col.${column} does not parse: ${text.error}`)]
    )
  ]
}

/** `sfld` is declared integer but holds text; affinity turns numeric text into numbers (§5.6). */
const SFLD_CLASSES: StorageClass[] = ['integer', 'real', 'text']

function checkColumnTypes(pkg: UnpackedPackage): Violation[] {
  const rowsOf = {col: pkg.col, notes: pkg.notes, cards: pkg.cards}
  return Object.entries(rowsOf).flatMap(([table, rows]) => {
    const spec = TABLES.find((candidate) => candidate.name === table)?.columns ?? []
    return rows.flatMap((row) =>
      spec.flatMap(({name, type}) => {
        const actual = row.types[name]
        const allowed = table === 'notes' && name === 'sfld' ? SFLD_CLASSES : [type]
        const where = `${table}.${name} of row ${String(row.values['id'])}`
        const wrong = actual !== undefined && !allowed.includes(actual)
        return when(wrong, 'column-type', `${where} is ${actual}, expected ${allowed.join(' or ')}`)
      })
    )
  })
}

// ---------------------------------------------------------------------------
// Note types (§3)

const NOTETYPE_KEYS = ['id', 'name', 'type', 'mod', 'usn', 'sortf', 'did', 'tmpls', 'flds', 'css']
const NOTETYPE_LEGACY_KEYS = ['latexPre', 'latexPost', 'req', 'tags', 'vers']
const FIELD_KEYS = ['name', 'sticky', 'rtl', 'font', 'size']
const FIELD_LEGACY_KEYS = ['ord', 'media']
const TEMPLATE_KEYS = ['name', 'qfmt']
const TEMPLATE_LEGACY_KEYS = ['ord', 'afmt', 'bqfmt', 'bafmt', 'did']

/** Missing keys of a JSON object; a legacy-key rule does not repeat "not an object". */
function keyViolations(rule: LintRule, where: string, object: unknown, keys: string[]): Violation[] {
  if (!isObject(object)) return when(!rule.endsWith('legacy-key'), rule, `${where} is not an object`)
  const missing = keys.filter((key) => !Object.hasOwn(object, key))
  return when(missing.length > 0, rule, `${where} lacks ${missing.join(', ')}`)
}

function checkNotetypes(pkg: UnpackedPackage, context: Context): Violation[] {
  const notetypes = [...context.notetypes.values()]
  const names = notetypes.map((notetype) => notetype.name.toLowerCase())
  return [
    ...[...jsonMap(pkg.json?.models)].flatMap(([key, value]) =>
      when(!isObject(value), 'notetype-key', `note type ${key} is not an object`)
    ),
    ...names.flatMap((name, index) =>
      when(names.indexOf(name) !== index, 'notetype-name', `two note types are named "${name}"`)
    ),
    ...notetypes.flatMap((notetype) => NOTETYPE_CHECKS.flatMap((check) => check(notetype, `note type ${notetype.key}`)))
  ]
}

type NotetypeCheck = (notetype: NotetypeView, where: string) => Violation[]

const NOTETYPE_CHECKS: NotetypeCheck[] = [
  (notetype, where) => [
    ...keyViolations('notetype-key', where, notetype.raw, NOTETYPE_KEYS),
    ...keyViolations('notetype-legacy-key', where, notetype.raw, NOTETYPE_LEGACY_KEYS)
  ],
  checkNotetypeScalars,
  checkNotetypeFields,
  checkNotetypeTemplates,
  checkCloze,
  checkRequirements
]

function checkNotetypeScalars(notetype: NotetypeView, where: string): Violation[] {
  const {raw, key} = notetype
  // The loader accepts a numeric string id too.
  const id = typeof raw['id'] === 'string' && /^\d+$/.test(raw['id']) ? Number(raw['id']) : raw['id']
  const sortf = raw['sortf']
  const show = (value: unknown): string => JSON.stringify(value) ?? 'missing'
  return [
    ...when(!isInteger(id) || id <= 0 || String(id) !== key, 'notetype-id', `${where}: id ${show(raw['id'])} ≠ its key`),
    ...when(notetype.name === '', 'notetype-name', `${where} has no name`),
    ...when(raw['type'] !== 0 && raw['type'] !== 1, 'notetype-type', `${where}: type ${show(raw['type'])}, expected 0/1`),
    ...when(!isInteger(raw['mod']), 'notetype-mod', `${where}: mod ${show(raw['mod'])} is not an integer`),
    ...when(
      !isInteger(sortf) || sortf < 0 || sortf >= notetype.fields.length,
      'notetype-sortf',
      `${where}: sortf ${show(sortf)} names no field`
    )
  ]
}

function checkNotetypeFields(notetype: NotetypeView, where: string): Violation[] {
  if (notetype.fields.length === 0) return [violation('notetype-fields', `${where} has no fields`)]
  return notetype.fields.flatMap((field, index) => {
    const here = `${where} field ${index}`
    return [
      ...keyViolations('notetype-key', here, field, FIELD_KEYS),
      ...keyViolations('notetype-legacy-key', here, field, FIELD_LEGACY_KEYS),
      ...checkOrd(field, index, here),
      ...checkFieldName(notetype.fieldNames, index, here)
    ]
  })
}

function checkOrd(object: unknown, index: number, where: string): Violation[] {
  const ord = isObject(object) ? object['ord'] : index
  return when(ord !== undefined && ord !== index, 'notetype-ord', `${where}: ord ${JSON.stringify(ord)}, expected ${index}`)
}

/** Names Anki would rewrite on import without rewriting the templates (§3.7). */
function fieldNameProblem(names: string[], index: number): string | undefined {
  const name = names[index] ?? ''
  if (name.trim() === '') return 'is empty'
  if (/[:{}"]/.test(name)) return 'contains : { } or "'
  if (/^[#/^]/.test(name.trim())) return 'starts with # / or ^'
  if (name.trim() !== name) return 'has surrounding whitespace'
  const lower = name.toLowerCase()
  return names.findIndex((other) => other.toLowerCase() === lower) === index ? undefined : 'is a duplicate'
}

function checkFieldName(names: string[], index: number, where: string): Violation[] {
  const problem = fieldNameProblem(names, index)
  return when(problem !== undefined, 'field-name', `${where}: name "${names[index] ?? ''}" ${problem}`)
}

function checkNotetypeTemplates(notetype: NotetypeView, where: string): Violation[] {
  if (notetype.templates.length === 0) return [violation('notetype-templates', `${where} has no templates`)]
  const names = notetype.templates.map((template) => (isObject(template) ? template['name'] : undefined))
  return notetype.templates.flatMap((template, index) => {
    const here = `${where} template ${index}`
    const name = names[index]
    const named = typeof name === 'string' && name !== '' && names.indexOf(name) === index
    return [
      ...keyViolations('notetype-key', here, template, TEMPLATE_KEYS),
      ...keyViolations('notetype-legacy-key', here, template, TEMPLATE_LEGACY_KEYS),
      ...checkOrd(template, index, here),
      ...when(!named, 'notetype-templates', `${here}: name ${JSON.stringify(name)} is empty or repeated`),
      ...when(notetype.questions[index] === undefined, 'template-syntax', `${here}: unbalanced sections in the question`)
    ]
  })
}

function checkCloze(notetype: NotetypeView, where: string): Violation[] {
  const first = notetype.templates[0]
  const qfmt = isObject(first) && typeof first['qfmt'] === 'string' ? first['qfmt'] : ''
  const valid = notetype.templates.length === 1 && qfmt.includes('{{cloze:')
  return when(notetype.isCloze && !valid, 'notetype-cloze', `${where} needs one template, with {{cloze:…}} in it`)
}

function checkRequirements(notetype: NotetypeView, where: string): Violation[] {
  const stored = notetype.raw['req']
  if (notetype.isCloze || stored === undefined || notetype.questions.includes(undefined)) return []
  const expected = notetype.questions.map((nodes, ord) => [ord, ...requirement(nodes ?? [], notetype.fieldNames)])
  const [actualText, expectedText] = [JSON.stringify(stored), JSON.stringify(expected)]
  return when(actualText !== expectedText, 'notetype-req', `${where}: req is ${actualText}, expected ${expectedText}`)
}

// ---------------------------------------------------------------------------
// Decks and option groups (§4)

const DECK_KEYS = ['id', 'name', 'usn', 'lrnToday', 'revToday', 'newToday', 'timeToday', 'collapsed', 'dyn', 'desc']
const DCONF_KEYS = ['id', 'mod', 'name', 'usn', 'maxTaken', 'autoplay', 'timer', 'new', 'rev', 'lapse']
const DCONF_SUBKEYS: Record<string, string[]> = {
  new: ['delays', 'initialFactor', 'ints', 'order', 'perDay'],
  rev: ['ease4', 'ivlFct', 'maxIvl', 'perDay'],
  lapse: ['delays', 'leechAction', 'leechFails', 'minInt', 'mult']
}

function checkDecks(pkg: UnpackedPackage, context: Context): Violation[] {
  const decks = jsonMap(pkg.json?.decks)
  const names = [...context.decks.values()].map((deck) => String(deck['name']).toLowerCase())
  const nameSet = new Set(names)
  return [
    ...when(!decks.has(String(DEFAULT_DECK_ID)), 'deck-default', 'deck 1 "Default" is missing'),
    ...[...decks].flatMap(([key, deck]) => {
      const where = `deck ${key}`
      if (!isObject(deck)) return [violation('deck-key', `${where} is not an object`)]
      const name = String(deck['name'])
      const normal = !deck['dyn']
      const conf = JSON.stringify(deck['conf'])
      return [
        ...keyViolations('deck-key', where, deck, normal ? [...DECK_KEYS, 'conf'] : DECK_KEYS),
        ...when(String(deck['id']) !== key, 'deck-id', `${where}: id ${JSON.stringify(deck['id'])} ≠ its key`),
        ...when(normal && !context.dconf.has(String(deck['conf'])), 'deck-conf', `${where}: group ${conf} not in dconf`),
        ...checkDeckName(name, nameSet, where),
        ...when(
          names.indexOf(name.toLowerCase()) !== names.lastIndexOf(name.toLowerCase()),
          'deck-name-duplicate',
          `${where}: another deck is named "${name}"`
        )
      ]
    })
  ]
}

function checkDeckName(name: string, names: Set<string>, where: string): Violation[] {
  const parts = name.split('::')
  const malformed = parts.some((part) => part === '' || part.trim() !== part || /\p{Cc}/u.test(part))
  const parents = parts.slice(1).map((_part, depth) => parts.slice(0, depth + 1).join('::'))
  return [
    ...when(malformed, 'deck-name', `${where}: "${name}" has an empty, untrimmed or control-character level`),
    ...parents.flatMap((parent) =>
      when(!names.has(parent.toLowerCase()), 'deck-parent', `${where}: parent deck "${parent}" is missing`)
    )
  ]
}

function checkDeckConfs(pkg: UnpackedPackage): Violation[] {
  return [...jsonMap(pkg.json?.dconf)].flatMap(([key, conf]) => {
    const where = `option group ${key}`
    if (!isObject(conf)) return [violation('dconf-key', `${where} is not an object`)]
    return [
      ...keyViolations('dconf-key', where, conf, DCONF_KEYS),
      ...Object.entries(DCONF_SUBKEYS).flatMap(([section, keys]) =>
        Object.hasOwn(conf, section) ? keyViolations('dconf-key', `${where}.${section}`, conf[section], keys) : []
      ),
      ...keyViolations('dconf-legacy-key', where, conf, ['replayq']),
      ...(isObject(conf['new']) ? keyViolations('dconf-legacy-key', `${where}.new`, conf['new'], ['separate']) : [])
    ]
  })
}

// ---------------------------------------------------------------------------
// Notes (§5)

/** Note and card ids must stay below 2^53 (JSON numbers in JS, §8.2). */
const MAX_ID = 2 ** 53

/** Larger `mod` values are milliseconds (anki-apkg-export's mistake, §9.4). */
const MAX_SECONDS = 1e11

function checkId(rule: LintRule, what: string, id: unknown): Violation[] {
  const valid = isInteger(id) && id > 0 && id < MAX_ID
  return when(!valid, rule, `${what} id ${String(id)} is not an integer in (0, 2^53)`)
}

function checkSeconds(rule: LintRule, what: string, value: unknown): Violation[] {
  if (!isInteger(value)) return [violation(rule, `${what}: mod ${String(value)} is not an integer`)]
  return when(value > MAX_SECONDS, rule, `${what}: mod ${value} looks like milliseconds, expected seconds`)
}

/** A note whose note type exists and whose field count matches it. */
const isWellFormed = (note: NoteView): note is NoteView & {notetype: NotetypeView} =>
  note.notetype !== undefined && note.fields.length === note.notetype.fields.length

function checkNoteIds(_pkg: UnpackedPackage, context: Context): Violation[] {
  return context.notes.flatMap((note) => checkId('note-id', 'note', note.row.values['id']))
}

function checkNoteGuids(_pkg: UnpackedPackage, context: Context): Violation[] {
  const firstWith = new Map<string, number | undefined>()
  return context.notes.flatMap((note) => {
    const guid = stringAt(note.row, 'guid')
    if (guid === '') return [violation('note-guid', `note ${note.id}: guid is empty`)]
    const duplicate = firstWith.has(guid)
    if (!duplicate) firstWith.set(guid, note.id)
    const first = String(firstWith.get(guid))
    return when(duplicate, 'note-guid-duplicate', `note ${note.id}: guid ${guid} is also note ${first}'s`)
  })
}

function checkNoteNotetype(_pkg: UnpackedPackage, context: Context): Violation[] {
  return context.notes.flatMap((note) => {
    const mid = String(note.row.values['mid'])
    if (!note.notetype) return [violation('note-mid', `note ${note.id}: note type ${mid} is not in col.models`)]
    const [count, expected] = [note.fields.length, note.notetype.fields.length]
    return when(count !== expected, 'note-field-count', `note ${note.id}: ${count} fields, note type has ${expected}`)
  })
}

function checkNoteMod(_pkg: UnpackedPackage, context: Context): Violation[] {
  return context.notes.flatMap((note) => checkSeconds('note-mod', `note ${note.id}`, note.row.values['mod']))
}

function checkNoteTags(_pkg: UnpackedPackage, context: Context): Violation[] {
  return context.notes.flatMap(({id, tags}) => {
    const padded = tags === '' || /^ (?:[^\s\u3000\p{Cc}]+ )+$/u.test(tags)
    return when(!padded, 'note-tags', `note ${id}: tags ${JSON.stringify(tags)}, expected "" or " a b "`)
  })
}

function checkNoteFieldCache(_pkg: UnpackedPackage, context: Context): Violation[] {
  return context.notes.filter(isWellFormed).flatMap((note) => {
    const sortText = stripHtml(note.fields[note.notetype.sortf] ?? '')
    const sfld = note.row.values['sfld']
    const csum = note.row.values['csum']
    // Recomputed here rather than through checksum.ts, so a bug there cannot hide.
    const expected = createHash('sha1').update(stripHtml(note.fields[0] ?? '')).digest().readUInt32BE(0)
    return [
      ...when(
        !sortFieldMatches(sfld, sortText),
        'note-sfld',
        `note ${note.id}: sfld ${JSON.stringify(sfld)}, expected ${JSON.stringify(sortText)}`
      ),
      ...when(csum !== expected, 'note-csum', `note ${note.id}: csum ${String(csum)}, expected ${expected}`)
    ]
  })
}

/** SQLite's integer affinity stores numeric-looking text as a number (§5.6). */
function sortFieldMatches(stored: unknown, expected: string): boolean {
  if (typeof stored === 'string') return stored === expected
  const numeric = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(expected)
  return typeof stored === 'number' && numeric && Number(expected) === stored
}

function checkNoteText(_pkg: UnpackedPackage, context: Context): Violation[] {
  return context.notes.flatMap((note) =>
    note.fields.flatMap((field, index) => [
      // Current importers strip these and the legacy one keeps them, so clients would differ.
      ...when(
        /[\u0000-\u0008\u000B-\u001F\u007F]/.test(field),
        'note-control-char',
        `note ${note.id} field ${index} contains a control character`
      ),
      ...when(field.normalize('NFC') !== field, 'note-nfc', `note ${note.id} field ${index} is not NFC`)
    ])
  )
}

// ---------------------------------------------------------------------------
// Cards (§6)

function checkCardIds(_pkg: UnpackedPackage, context: Context): Violation[] {
  const seen = new Set<number | undefined>()
  return context.cards.flatMap((card) => {
    const duplicate = seen.has(card.id)
    seen.add(card.id)
    return [
      ...checkId('card-id', 'card', card.row.values['id']),
      ...when(duplicate, 'card-id-duplicate', `card id ${card.id} appears twice`)
    ]
  })
}

function checkCardRefs(_pkg: UnpackedPackage, context: Context): Violation[] {
  const noteIds = new Set(context.notes.map((note) => note.id))
  return context.cards.flatMap(({id, nid, did}) => [
    ...when(!noteIds.has(nid), 'card-nid', `card ${id}: note ${nid} does not exist`),
    ...(did === DEFAULT_DECK_ID
      ? [violation('card-default-deck', `card ${id} is in deck 1, which is the user's default deck`)]
      : when(!context.decks.has(String(did)), 'card-did', `card ${id}: deck ${did} is not in col.decks`))
  ])
}

/** Columns that are 0 for a new card (§6.1). */
const NEW_CARD_ZEROS = ['type', 'queue', 'ivl', 'factor', 'reps', 'lapses', 'left', 'odue', 'odid', 'flags']

function checkCardScheduling(_pkg: UnpackedPackage, context: Context): Violation[] {
  return context.cards.flatMap(({id, due, row}) => [
    ...NEW_CARD_ZEROS.flatMap((column) => {
      const value = String(row.values[column])
      return when(value !== '0', 'card-new', `card ${id}: ${column} is ${value}, expected 0 for a new card`)
    }),
    ...checkSeconds('card-mod', `card ${id}`, row.values['mod']),
    ...when(!isInteger(due) || due < 0 || due >= 1_000_000, 'card-due', `card ${id}: due ${due} is not in 0…999999`)
  ])
}

function checkCardsPerNote(_pkg: UnpackedPackage, context: Context): Violation[] {
  const cardsByNote = new Map<number | undefined, CardView[]>()
  for (const card of context.cards) {
    const cards = cardsByNote.get(card.nid)
    if (cards) cards.push(card)
    else cardsByNote.set(card.nid, [card])
  }
  return context.notes.filter(isWellFormed).flatMap((note) => {
    const cards = cardsByNote.get(note.id) ?? []
    return [...checkCardSet(note, note.notetype, cards), ...checkSharedDue(note, cards)]
  })
}

function checkSharedDue(note: NoteView, cards: CardView[]): Violation[] {
  const dues = [...new Set(cards.map((card) => card.due))]
  return when(dues.length > 1, 'card-due-shared', `note ${note.id}: its cards have different due ${dues.join(', ')}`)
}

function checkCardSet(note: NoteView, notetype: NotetypeView, cards: CardView[]): Violation[] {
  const {ords: expected, problems} = expectedCards(notetype, note)
  const ords = cards.map((card) => card.ord)
  return [
    ...problems,
    ...cards.flatMap(({id, ord}, index) => [
      ...when(ords.indexOf(ord) !== index, 'card-duplicate', `note ${note.id}: two cards with ord ${ord}`),
      ...when(
        ord === undefined || !expected.has(ord),
        'card-ord',
        `note ${note.id}: card ${id} has ord ${ord}, ${whyNoCard(notetype, ord)}`
      )
    ]),
    ...[...expected].flatMap((ord) => when(!ords.includes(ord), 'card-missing', `note ${note.id}: no card for ord ${ord}`))
  ]
}

function whyNoCard(notetype: NotetypeView, ord: number | undefined): string {
  if (notetype.isCloze) return `but the note has no cloze c${ord === undefined ? '?' : ord + 1}`
  return ord !== undefined && ord >= 0 && ord < notetype.templates.length
    ? 'but its question would be empty'
    : `but the note type has ${notetype.templates.length} templates`
}

// ---------------------------------------------------------------------------
// Which cards Anki generates (§6.2)

/** Field names the template language provides beyond the note's fields (§3.7). */
const SPECIAL_FIELDS = new Set(['FrontSide', 'Card', 'CardFlag', 'Deck', 'Subdeck', 'Tags', 'Type', 'CardID'])

/** Anki's "empty field": only whitespace, `<br>` and `<div>`/`</div>` (§5.5). */
const EMPTY_FIELD = /^(?:[\t\n\v\f\r ]|<\/?(?:br|div) ?\/?>)*$/i

interface ExpectedCards {
  ords: Set<number>
  problems: Violation[]
}

function expectedCards(notetype: NotetypeView, note: NoteView): ExpectedCards {
  if (notetype.isCloze) return expectedClozeCards(notetype, note)
  return {ords: expectedStandardCards(notetype, note), problems: []}
}

function expectedStandardCards(notetype: NotetypeView, note: NoteView): Set<number> {
  const values = new Map(notetype.fieldNames.map((name, index) => [name, note.fields[index] ?? '']))
  const isNonEmpty = (name: string): boolean => {
    const value = values.get(name)
    if (value !== undefined) return !EMPTY_FIELD.test(value)
    if (name === 'Tags') return note.tags.trim() !== ''
    return SPECIAL_FIELDS.has(name) && name !== 'FrontSide'
  }
  const ords = notetype.questions.flatMap((nodes, ord) => (nodes && rendersNonEmpty(nodes, isNonEmpty) ? [ord] : []))
  return new Set(ords)
}

/** Anki gives every cloze number ≥ 500 the ord 499. */
const clozeOrd = (number: number): number => Math.min(number, 500) - 1

function clozeNumbers(text: string): Set<number> {
  const numbers = [...text.matchAll(/\{\{c(\d+)::/g)].map((match) => Number(match[1])).filter((n) => n > 0)
  return new Set(numbers)
}

function expectedClozeCards(notetype: NotetypeView, note: NoteView): ExpectedCards {
  const clozeFields = new Set(
    (notetype.questions[0] ?? []).flatMap(function names(node): string[] {
      if (node.kind === 'section') return node.children.flatMap(names)
      return node.filters.includes('cloze') ? [node.name] : []
    })
  )
  const inCloze = new Set<number>()
  const elsewhere = new Set<number>()
  notetype.fieldNames.forEach((name, index) => {
    const numbers = clozeFields.has(name) ? inCloze : elsewhere
    for (const number of clozeNumbers(note.fields[index] ?? '')) numbers.add(number)
  })
  const strays = [...elsewhere].filter((number) => !inCloze.has(number))
  const problems = [
    ...when(inCloze.size === 0, 'cloze-none', `note ${note.id} has no cloze deletion`),
    // Current Anki makes a card for these whose question is blank; legacy Anki makes none.
    ...when(strays.length > 0, 'cloze-outside-field', `note ${note.id}: c${strays.join(', c')} only outside the cloze field`)
  ]
  return {ords: new Set([...inCloze].map(clozeOrd)), problems}
}

/**
 * Parses the tags of a template: `{{#F}}`/`{{^F}}`…`{{/F}}` sections and
 * `{{filter:…:F}}` field references; text is irrelevant to card generation.
 * `undefined` when sections are unbalanced.
 */
function parseTemplate(source: string): TemplateNode[] | undefined {
  const root: TemplateNode[] = []
  const open: TemplateSection[] = []
  const current = (): TemplateNode[] => open.at(-1)?.children ?? root
  for (const match of source.matchAll(/\{\{(.*?)\}\}/gs)) {
    const tag = (match[1] ?? '').trim()
    const sigil = tag.charAt(0)
    if (sigil === '#' || sigil === '^') {
      const name = tag.slice(1).trim()
      const section: TemplateSection = {kind: 'section', name, negated: sigil === '^', children: []}
      current().push(section)
      open.push(section)
    } else if (sigil === '/') {
      if (open.pop()?.name !== tag.slice(1).trim()) return undefined
    } else {
      const parts = tag.split(':')
      current().push({kind: 'field', name: (parts.pop() ?? '').trim(), filters: parts.map((part) => part.trim())})
    }
  }
  return open.length === 0 ? root : undefined
}

/** Anki's rule: some field reference outside a false section names a non-empty field. */
function rendersNonEmpty(nodes: TemplateNode[], isNonEmpty: (name: string) => boolean): boolean {
  return nodes.some((node) =>
    node.kind === 'field'
      ? isNonEmpty(node.name)
      : isNonEmpty(node.name) !== node.negated && rendersNonEmpty(node.children, isNonEmpty)
  )
}

/**
 * The `req` entry Anki computes for a question (§3.5): fields whose blanking
 * alone empties it (`all`), else fields that alone fill it (`any`), else `none`.
 */
function requirement(nodes: TemplateNode[], fieldNames: string[]): [string, number[]] {
  const renders = (filled: (name: string) => boolean): boolean => rendersNonEmpty(nodes, filled)
  const all = new Set(fieldNames)
  if (!renders((name) => all.has(name))) return ['none', []]
  const required = fieldNames.flatMap((blank, index) =>
    renders((name) => name !== blank && all.has(name)) ? [] : [index]
  )
  if (required.length > 0) return ['all', required]
  const any = fieldNames.flatMap((only, index) => (renders((name) => name === only) ? [index] : []))
  return any.length > 0 ? ['any', any] : ['none', []]
}

const CHECKS: Check[] = [
  checkCollectionEntries,
  checkZipEntries,
  checkMediaMap,
  checkSqliteHeader,
  checkTables,
  checkSchemaObjects,
  checkColRow,
  checkColumnTypes,
  checkNotetypes,
  checkDecks,
  checkDeckConfs,
  checkNoteIds,
  checkNoteGuids,
  checkNoteNotetype,
  checkNoteMod,
  checkNoteTags,
  checkNoteFieldCache,
  checkNoteText,
  checkCardIds,
  checkCardRefs,
  checkCardScheduling,
  checkCardsPerNote
]
