/**
 * The Anki package format as data: the schema-11 database layout, the `col`
 * row, deck and deck-options JSON, and deckc's two note types.
 *
 * Everything here is written into every package, so every value is fixed:
 * the same input always gives the same bytes (anki-apkg-format.md §8.2).
 * Section numbers (§) refer to /work/shared/anki-apkg-format.md.
 */
import type {Deck} from '../types.js'

// ---------------------------------------------------------------------------
// Database layout (§2)

/** Declared type of a schema-11 column. */
export type ColumnType = 'integer' | 'text'

/** One column of a schema-11 table. */
export interface ColumnSpec {
  name: string
  type: ColumnType
  /** `integer primary key` (the row id) instead of `… not null`. */
  primaryKey: boolean
}

/** One schema-11 table: its name and columns in declaration order. */
export interface TableSpec {
  name: string
  columns: ColumnSpec[]
}

/** One schema-11 index. */
export interface IndexSpec {
  name: string
  table: string
  columns: string[]
}

const key = (name: string): ColumnSpec => ({name, type: 'integer', primaryKey: true})
const int = (name: string): ColumnSpec => ({name, type: 'integer', primaryKey: false})
const text = (name: string): ColumnSpec => ({name, type: 'text', primaryKey: false})

/**
 * The five tables of a schema-11 collection, in creation order, exactly as
 * Anki declares them (rslib/src/storage/schema11.sql). All five must exist:
 * Anki's upgrade to schema 18 alters `graves` and reads the rest.
 */
export const TABLES: TableSpec[] = [
  {
    // Exactly one row: collection settings and the JSON columns (§2.2).
    name: 'col',
    columns: [
      key('id'),
      int('crt'),
      int('mod'),
      int('scm'),
      int('ver'),
      int('dty'),
      int('usn'),
      int('ls'),
      text('conf'),
      text('models'),
      text('decks'),
      text('dconf'),
      text('tags')
    ]
  },
  {
    // §2.3. `sfld` is declared integer so numeric sort fields sort as numbers.
    name: 'notes',
    columns: [
      key('id'),
      text('guid'),
      int('mid'),
      int('mod'),
      int('usn'),
      text('tags'),
      text('flds'),
      int('sfld'),
      int('csum'),
      int('flags'),
      text('data')
    ]
  },
  {
    // §2.4.
    name: 'cards',
    columns: [
      key('id'),
      int('nid'),
      int('did'),
      int('ord'),
      int('mod'),
      int('usn'),
      int('type'),
      int('queue'),
      int('due'),
      int('ivl'),
      int('factor'),
      int('reps'),
      int('lapses'),
      int('left'),
      int('odue'),
      int('odid'),
      int('flags'),
      text('data')
    ]
  },
  {
    // Review history; left empty (§2.5).
    name: 'revlog',
    columns: [
      key('id'),
      int('cid'),
      int('usn'),
      int('ease'),
      int('ivl'),
      int('lastIvl'),
      int('factor'),
      int('time'),
      int('type')
    ]
  },
  {
    // Deletion log for sync; left empty but must exist (§2.6).
    name: 'graves',
    columns: [int('usn'), int('oid'), int('type')]
  }
]

/** The seven indexes of a real schema-11 collection, in creation order (§2.7). */
export const INDEXES: IndexSpec[] = [
  {name: 'ix_notes_usn', table: 'notes', columns: ['usn']},
  {name: 'ix_cards_usn', table: 'cards', columns: ['usn']},
  {name: 'ix_revlog_usn', table: 'revlog', columns: ['usn']},
  {name: 'ix_cards_nid', table: 'cards', columns: ['nid']},
  {name: 'ix_cards_sched', table: 'cards', columns: ['did', 'queue', 'due']},
  {name: 'ix_revlog_cid', table: 'revlog', columns: ['cid']},
  {name: 'ix_notes_csum', table: 'notes', columns: ['csum']}
]

/**
 * Table and index names a schema-11 file must not contain: Anki's upgrade
 * creates them without `IF NOT EXISTS`, so the file would fail to open (§2.8).
 */
export const FORBIDDEN_NAMES: string[] = [
  'deck_config',
  'config',
  'tags',
  'fields',
  'templates',
  'notetypes',
  'decks',
  'idx_notes_mid',
  'idx_cards_odid'
]

/**
 * The `CREATE TABLE` and `CREATE INDEX` statements of a schema-11 collection,
 * tables first, each in the order of {@link TABLES} and {@link INDEXES}.
 *
 * @returns One SQL statement per table and index, without trailing `;`.
 */
export function schemaStatements(): string[] {
  const tables = TABLES.map(
    (table) =>
      `create table ${table.name} (${table.columns
        .map((column) => `${column.name} ${column.type} ${column.primaryKey ? 'primary key' : 'not null'}`)
        .join(', ')})`
  )
  const indexes = INDEXES.map(
    (index) => `create index ${index.name} on ${index.table} (${index.columns.join(', ')})`
  )
  return [...tables, ...indexes]
}

// ---------------------------------------------------------------------------
// The `col` row (§2.2)

/** Schema version written into `col.ver`; generators must write 11 (§1.6). */
export const SCHEMA_VERSION = 11

/**
 * `col.crt`: collection creation, seconds (2024-01-01T00:00:00Z). Day 0 for
 * review-card due numbers, irrelevant for new cards; fixed for determinism.
 */
export const COLLECTION_CREATED = 1_704_067_200

/** `col.mod`: last modification, milliseconds; fixed. */
export const COLLECTION_MODIFIED = COLLECTION_CREATED * 1000

/** `col.scm`: last schema change, milliseconds; fixed. */
export const COLLECTION_SCHEMA_MODIFIED = COLLECTION_CREATED * 1000

/** The scalar columns of the `col` row, in column order. */
export const COL_ROW = {
  id: 1,
  crt: COLLECTION_CREATED,
  mod: COLLECTION_MODIFIED,
  scm: COLLECTION_SCHEMA_MODIFIED,
  ver: SCHEMA_VERSION,
  // Unused "dirty" flag.
  dty: 0,
  // Update sequence number for sync; 0 = nothing to sync.
  usn: 0,
  // Last sync time, ms; never synced.
  ls: 0
} as const

/** `col.conf`: collection settings (§2.9). */
export interface CollectionConf {
  activeDecks: number[]
  curDeck: number
  newSpread: number
  collapseTime: number
  timeLim: number
  estTimes: boolean
  dueCounts: boolean
  curModel: number
  nextPos: number
  sortType: string
  sortBackwards: boolean
  addToCur: boolean
  dayLearnFirst: boolean
  schedVer: number
}

/**
 * The collection settings Anki writes for a new schema-11 collection; old
 * clients read these keys directly, so the types matter (Anki-Android#2320).
 *
 * @param nextPos Next new-card position: the largest card `due` + 1 (1 when there are no cards).
 * @returns A fresh object; key order is the JSON order.
 */
export function collectionConf(nextPos: number): CollectionConf {
  return {
    // Decks shown as selected: Default.
    activeDecks: [DEFAULT_DECK_ID],
    curDeck: DEFAULT_DECK_ID,
    // 0 = mix new cards with reviews.
    newSpread: 0,
    // Seconds a learning card may be shown early.
    collapseTime: 1200,
    // Session time limit; 0 = none.
    timeLim: 0,
    estTimes: true,
    dueCounts: true,
    // Note type preselected in the Add window.
    curModel: BASIC_ID,
    nextPos,
    sortType: 'noteFld',
    // Must be booleans: AnkiDroid once crashed on `1` (Anki-Android#2320).
    sortBackwards: false,
    addToCur: true,
    dayLearnFirst: false,
    // v2 scheduler data: no v1→v2 conversion on import (§1.7, §7.1).
    schedVer: 2
  }
}

// ---------------------------------------------------------------------------
// Decks and deck options (§4)

/** Id of the deck every collection has and that content never goes into (§4.3). */
export const DEFAULT_DECK_ID = 1

/** Id of the only deck options group a package ships (§4.4). */
export const DEFAULT_DECK_CONF_ID = 1

/** `mod` of every deck object, seconds; fixed (decks are matched by name, §7.6). */
export const DECK_MOD = COLLECTION_CREATED

/** A deck object of `col.decks` (§4.1). */
export interface DeckJson {
  id: number
  name: string
  conf: number
  desc: string
  dyn: number
  usn: number
  mod: number
  collapsed: boolean
  browserCollapsed: boolean
  extendNew: number
  extendRev: number
  newToday: [number, number]
  revToday: [number, number]
  lrnToday: [number, number]
  timeToday: [number, number]
}

/**
 * The full deck object of §4.1/§4.5 for one deck.
 *
 * @param deck The deck: id (never 1), full `::` name and HTML description.
 * @param usn Update sequence number: `-1` (changed locally, the default) or `0`.
 * @returns A fresh object; key order is the JSON order.
 */
export function deckObject(deck: Deck, usn: -1 | 0 = -1): DeckJson {
  return {
    id: deck.id,
    name: deck.name,
    // Options group; must exist in `col.dconf` (§4.4).
    conf: DEFAULT_DECK_CONF_ID,
    // Always present: Anki 2.1.16 fails with KeyError 'desc' without it.
    desc: deck.description,
    // 0 = normal deck, 1 = filtered deck.
    dyn: 0,
    usn,
    mod: DECK_MOD,
    collapsed: false,
    browserCollapsed: false,
    // Custom-study extensions of today's limits.
    extendNew: 0,
    extendRev: 0,
    // Today's counters as [day, count]; all four are required keys.
    newToday: [0, 0],
    revToday: [0, 0],
    lrnToday: [0, 0],
    timeToday: [0, 0]
  }
}

/**
 * The Default deck (id 1) every package carries, as Anki's exporters do; no
 * card is ever placed in it (§4.3).
 */
export const DEFAULT_DECK: DeckJson = deckObject(
  {id: DEFAULT_DECK_ID, name: 'Default', description: ''},
  0
)

/** A deck options group of `col.dconf` (§4.4). */
export interface DeckConfJson {
  id: number
  mod: number
  name: string
  usn: number
  maxTaken: number
  autoplay: boolean
  timer: number
  replayq: boolean
  dyn: boolean
  new: {
    delays: number[]
    initialFactor: number
    ints: number[]
    order: number
    perDay: number
    bury: boolean
    separate: boolean
  }
  rev: {
    ease4: number
    ivlFct: number
    maxIvl: number
    perDay: number
    hardFactor: number
    bury: boolean
    fuzz: number
    minSpace: number
  }
  lapse: {
    delays: number[]
    leechAction: number
    leechFails: number
    minInt: number
    mult: number
  }
}

/**
 * Options group 1 with Anki's defaults and the full legacy key set (§4.4).
 * Group 1 exists in every collection and is never overwritten on import.
 */
export const DEFAULT_DECK_CONF: DeckConfJson = {
  id: DEFAULT_DECK_CONF_ID,
  mod: 0,
  name: 'Default',
  usn: 0,
  // Seconds after which an answer's time is capped.
  maxTaken: 60,
  autoplay: true,
  // 0 = no on-screen timer.
  timer: 0,
  // Old AnkiDroid crashed without it (Anki-Android#2906).
  replayq: true,
  dyn: false,
  new: {
    // Learning steps, minutes.
    delays: [1, 10],
    // Starting ease, permille.
    initialFactor: 2500,
    // Graduating interval, easy interval (days), unused.
    ints: [1, 4, 0],
    // 1 = show new cards in order (0 = random).
    order: 1,
    perDay: 20,
    bury: false,
    // Legacy; old AnkiDroid crashed without it (Anki-Android#3447, #2907).
    separate: true
  },
  rev: {
    // Easy bonus.
    ease4: 1.3,
    // Interval modifier.
    ivlFct: 1,
    // Maximum interval, days.
    maxIvl: 36500,
    perDay: 200,
    hardFactor: 1.2,
    bury: false,
    // Legacy v1-scheduler keys.
    fuzz: 0.05,
    minSpace: 1
  },
  lapse: {
    // Relearning steps, minutes.
    delays: [10],
    // 1 = tag leeches only (0 = suspend them).
    leechAction: 1,
    leechFails: 8,
    // Minimum interval after a lapse, days.
    minInt: 1,
    // New interval multiplier after a lapse.
    mult: 0
  }
}

// ---------------------------------------------------------------------------
// Note types (§3)

/** A field object of a note type (§3.3). */
export interface FieldJson {
  name: string
  ord: number
  sticky: boolean
  rtl: boolean
  font: string
  size: number
  description: string
  plainText: boolean
  collapsed: boolean
  excludeFromSearch: boolean
  id: number
  media: string[]
}

/** A card template object of a note type (§3.4). */
export interface TemplateJson {
  name: string
  ord: number
  qfmt: string
  afmt: string
  bqfmt: string
  bafmt: string
  did: null
  bfont: string
  bsize: number
  id: number
}

/** One `req` entry: template ord, `all`/`any`/`none`, field ords (§3.5). */
export type RequirementJson = [number, 'all' | 'any' | 'none', number[]]

/** A note type object of `col.models` (§3.2). */
export interface NotetypeJson {
  id: number
  name: string
  type: 0 | 1
  mod: number
  usn: number
  sortf: number
  did: number
  tmpls: TemplateJson[]
  flds: FieldJson[]
  css: string
  latexPre: string
  latexPost: string
  latexsvg: boolean
  req: RequirementJson[]
  tags: string[]
  vers: number[]
}

/**
 * `mod` (seconds) of both note types: 2026-11-26T14:00:00Z (code highlighting and math CSS).
 *
 * Anki updates a user's copy of a note type only when the package's `mod` is
 * newer (§7.3), so ANY change to CSS, templates or fields MUST bump this to a
 * later value (the time of the change). tests/anki/format.test.ts pins a hash
 * of each note type's JSON to this value and fails when one changes alone.
 */
export const NOTETYPE_MOD = 1_795_701_600

/** Id of the "deckc Basic" note type — its identity on re-import, forever (§3.1). */
export const BASIC_ID = 1_759_256_399

/** Id of the "deckc Cloze" note type — forever. */
export const CLOZE_ID = 1_204_711_987

/**
 * Field and template ids (23.10+ match fields and templates by these, §7.3).
 * Fixed forever: random ids per build would create a new note type copy on
 * every import. All below 2^53.
 */
const IDS = {
  basicFront: 4_446_386_311_717_924,
  basicBack: 5_306_070_647_055_202,
  basicReverse: 4_627_193_661_496_694,
  basicCard1: 3_223_364_383_787_252,
  basicCard2: 3_294_225_421_542_347,
  clozeText: 6_319_362_901_426_841,
  clozeExtra: 6_341_802_864_887_766,
  clozeCard: 5_278_111_350_426_041
} as const

/**
 * Colours of highlight.js tokens (`<span class="hljs-…">` in fenced code):
 * token classes without the `hljs-` prefix, then the colour in light and in
 * night mode. GitHub's palettes, darkened or lightened where needed for a
 * contrast of at least 4.5:1 on the code background (#ececec light, #393939
 * night). Plain code text keeps the card's colour.
 */
const TOKEN_COLOURS: Array<{tokens: string[]; light: string; night: string}> = [
  {tokens: ['keyword', 'doctag', 'template-tag', 'template-variable', 'type'], light: '#b31d28', night: '#ff7b72'},
  {tokens: ['title', 'section'], light: '#6f42c1', night: '#d2a8ff'},
  {
    tokens: ['attr', 'attribute', 'literal', 'meta', 'number', 'operator', 'variable', 'link', 'selector-attr', 'selector-class', 'selector-id'],
    light: '#0550ae',
    night: '#79c0ff'
  },
  {tokens: ['string', 'regexp'], light: '#0a3069', night: '#a5d6ff'},
  {tokens: ['built_in', 'symbol', 'bullet'], light: '#953800', night: '#ffa657'},
  {tokens: ['comment', 'quote', 'code', 'formula'], light: '#57606a', night: '#a0a8b2'},
  {tokens: ['name', 'selector-tag', 'selector-pseudo'], light: '#116329', night: '#7ee787'}
]

/** Token colour rules: light first, then night mode (on the card or an ancestor), which is more specific. */
const TOKEN_CSS = [
  ...TOKEN_COLOURS.map(({tokens, light}) => `${tokens.map((token) => `.hljs-${token}`).join(', ')} { color: ${light}; }`),
  ...TOKEN_COLOURS.map(
    ({tokens, night}) =>
      `${tokens.flatMap((token) => [`.nightMode .hljs-${token}`, `.night_mode .hljs-${token}`]).join(', ')} { color: ${night}; }`
  ),
  '.hljs-comment, .hljs-quote, .hljs-emphasis { font-style: italic; }',
  '.hljs-section, .hljs-strong { font-weight: bold; }',
  '.hljs-addition { color: #116329; background-color: #dafbe1; }',
  '.hljs-deletion { color: #82071e; background-color: #ffebe9; }',
  '.nightMode .hljs-addition, .night_mode .hljs-addition { color: #aff5b4; background-color: #033a16; }',
  '.nightMode .hljs-deletion, .night_mode .hljs-deletion { color: #ffdcd7; background-color: #67060c; }'
].join('\n')

/**
 * Stylesheet shared by both note types. Anki puts `.card` on the page body and
 * night mode adds `nightMode` (desktop, AnkiMobile) or `night_mode` (older
 * desktop, AnkiDroid) to the same body, hence the `.card.nightMode` forms.
 */
export const CSS = `.card {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 20px;
  line-height: 1.5;
  text-align: left;
  color: #1f2328;
  background-color: #ffffff;
  max-width: 40em;
  margin: 0 auto;
  padding: 0 0.75em;
  overflow-wrap: break-word;
}
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card {
  color: #e6e6e6;
  background-color: #2c2c2c;
}
@media (max-width: 600px) {
  .card { font-size: 18px; padding: 0 0.25em; }
}
.ref {
  font-size: 0.75em;
  color: #6e7781;
  margin-left: 0.4em;
}
.nightMode .ref, .night_mode .ref { color: #9ea7b3; }
ul, ol { padding-left: 1.5em; margin: 0.5em 0; }
li { margin: 0.2em 0; }
code, pre {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.85em;
  background-color: rgba(127, 127, 127, 0.15);
  border-radius: 4px;
}
code { padding: 0.1em 0.3em; }
pre {
  padding: 0.6em 0.8em;
  overflow-x: auto;
  line-height: 1.4;
}
pre code { padding: 0; background: none; font-size: 1em; }
${TOKEN_CSS}
.math { overflow-x: auto; overflow-y: hidden; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #d0d7de; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background-color: rgba(127, 127, 127, 0.12); }
.nightMode th, .nightMode td, .night_mode th, .night_mode td { border-color: #4a4f55; }
blockquote {
  margin: 0.5em 0;
  padding: 0.1em 0.9em;
  border-left: 4px solid #d0d7de;
  color: #57606a;
}
.nightMode blockquote, .night_mode blockquote { border-left-color: #4a4f55; color: #b1bac4; }
img { max-width: 100%; height: auto; }
.cloze { font-weight: bold; color: #0b5cad; }
.nightMode .cloze, .night_mode .cloze { color: #7cb8ff; }
hr#answer {
  border: none;
  border-top: 1px solid #d0d7de;
  margin: 1em 0;
}
.nightMode hr#answer, .night_mode hr#answer { border-top-color: #4a4f55; }
`

/** LaTeX preamble Anki uses to render `[latex]` (unused by deckc, expected by clients). */
const LATEX_PRE =
  '\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n' +
  '\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n'

/** LaTeX postamble matching {@link LATEX_PRE}. */
const LATEX_POST = '\\end{document}'

function field(name: string, ord: number, id: number): FieldJson {
  return {
    name,
    ord,
    // Editor options: keep nothing between adds, left-to-right, Anki's default font.
    sticky: false,
    rtl: false,
    font: 'Arial',
    size: 20,
    description: '',
    plainText: false,
    collapsed: false,
    excludeFromSearch: false,
    id,
    // Legacy key; always empty.
    media: []
  }
}

function template(name: string, ord: number, qfmt: string, afmt: string, id: number): TemplateJson {
  return {
    name,
    ord,
    qfmt,
    afmt,
    // Browser column overrides: none.
    bqfmt: '',
    bafmt: '',
    // Deck override for new cards: none. A required key for 2.1.28-era loaders.
    did: null,
    bfont: '',
    bsize: 0,
    id
  }
}

function notetype(
  id: number,
  name: string,
  type: 0 | 1,
  fields: FieldJson[],
  templates: TemplateJson[],
  req: RequirementJson[]
): NotetypeJson {
  return {
    id,
    name,
    // 0 = standard, 1 = cloze.
    type,
    mod: NOTETYPE_MOD,
    usn: -1,
    // Index of the field shown in the browser's sort column.
    sortf: 0,
    // Legacy "last deck used"; 1 always exists (`null` crashed old AnkiDroid).
    did: DEFAULT_DECK_ID,
    tmpls: templates,
    flds: fields,
    css: CSS,
    latexPre: LATEX_PRE,
    latexPost: LATEX_POST,
    latexsvg: false,
    // Which fields a card needs; legacy clients use it when a note is edited.
    req,
    // Legacy keys; kept empty for old clients.
    tags: [],
    vers: []
  }
}

/** Anki's separator between the two sides on the answer; the reviewer scrolls to `#answer`. */
const ANSWER_RULE = '\n\n<hr id=answer>\n\n'

/**
 * "deckc Basic": fields `Front`, `Back`, `Reverse`; card 1 asks the Front, card
 * 2 (only when `Reverse` is non-empty) asks the Back.
 */
export const BASIC: NotetypeJson = notetype(
  BASIC_ID,
  'deckc Basic',
  0,
  [
    field('Front', 0, IDS.basicFront),
    field('Back', 1, IDS.basicBack),
    field('Reverse', 2, IDS.basicReverse)
  ],
  [
    template('Card 1', 0, '{{Front}}', `{{FrontSide}}${ANSWER_RULE}{{Back}}`, IDS.basicCard1),
    template(
      'Card 2',
      1,
      '{{#Reverse}}{{Back}}{{/Reverse}}',
      `{{FrontSide}}${ANSWER_RULE}{{Front}}`,
      IDS.basicCard2
    )
  ],
  [
    [0, 'all', [0]],
    [1, 'all', [1, 2]]
  ]
)

/** "deckc Cloze": fields `Text`, `Extra`; one card per cloze number in `Text`. */
export const CLOZE: NotetypeJson = notetype(
  CLOZE_ID,
  'deckc Cloze',
  1,
  [field('Text', 0, IDS.clozeText), field('Extra', 1, IDS.clozeExtra)],
  [template('Cloze', 0, '{{cloze:Text}}', '{{cloze:Text}}<br>\n{{Extra}}', IDS.clozeCard)],
  [[0, 'all', [0]]]
)

/** deckc's note types, Basic first. */
export const NOTETYPES: NotetypeJson[] = [BASIC, CLOZE]

/**
 * The `col.models` map: note type id as a decimal string → note type object
 * (the key must equal the object's `id`, §3.1).
 *
 * @returns A fresh map over the shared note type objects.
 */
export function modelsJson(): Record<string, NotetypeJson> {
  return Object.fromEntries(NOTETYPES.map((model) => [String(model.id), model]))
}

/**
 * The `col.decks` map: the Default deck plus the given decks, keyed by id.
 *
 * @param decks Content decks, parents before children; none may have id 1.
 */
export function decksJson(decks: Deck[]): Record<string, DeckJson> {
  return Object.fromEntries(
    [DEFAULT_DECK, ...decks.map((deck) => deckObject(deck))].map((deck) => [String(deck.id), deck])
  )
}

/** The `col.dconf` map: options group 1 only (§4.4). */
export function deckConfsJson(): Record<string, DeckConfJson> {
  return {[String(DEFAULT_DECK_CONF_ID)]: DEFAULT_DECK_CONF}
}
