/**
 * The data of each pipeline stage, named after what it holds:
 *
 *     Lecture ─decode─▶ text ─split─▶ LectureSource (CardRecord[]) ─validate─▶ Card[]
 *       ─render─▶ RenderedCard[] ─identify─▶ Note[] ─collect─▶ Collection ─pack─▶ bytes
 *
 * Positions (unist `Point`s: 1-based line and column) live until `Card`, so every
 * problem maps back to `file:line:column`; later stages keep only the card's
 * source location.
 */
import type {Point, Position} from 'unist'

export type {Point, Position}

/** A value together with the place in the lecture file it came from. */
export interface Located<T> {
  value: T
  position: Position
}

/** One lecture file as handed to the compiler. */
export interface Lecture {
  /** Path shown in messages: relative to the working directory, `/`-separated. */
  path: string
  /** File contents; bytes are checked for UTF-8, strings are taken as they are. */
  value: Uint8Array | string
  /**
   * Path relative to its build root, `/`-separated (default: the file name).
   * Its folders become parent decks; it names the lecture's tag.
   */
  relative?: string
}

/** One source line of a lecture, without its line ending. */
export interface SourceLine {
  /** 1-based line number in the file. */
  line: number
  text: string
}

/** One line of a question. */
export interface QuestionPart {
  /** The question's Markdown, without reference or attribute block. */
  text: Located<string>
  /** A parenthesised reference after the question mark, e.g. `(slide 4)`. */
  reference: Located<string> | undefined
}

/**
 * One card as found in the source lines: untrusted (it may lack an answer,
 * carry a malformed attribute block, …) and positioned.
 */
export interface CardRecord {
  /** How the question was written: question lines, a leaf heading, or cloze lines (`{{c1::…}}`). */
  style: 'line' | 'heading' | 'cloze'
  /** The question parts: adjacent question lines, or the heading. */
  question: QuestionPart[]
  /** The text inside each trailing `{…}` attribute block (at most one is valid). */
  attributes: Array<Located<string>>
  /** Every line after the question up to the next question. */
  answer: SourceLine[]
  /** From the first question line to the last answer line. */
  position: Position
}

/** What the line scanner makes of a lecture before any card is checked. */
export interface LectureSource {
  /** The deck title line, when the file has one. */
  title: Located<string> | undefined
  /** The YAML front matter between `---` fences, without the fences. */
  frontMatter: Located<string> | undefined
  records: CardRecord[]
}

/** Options a card sets in its attribute block. */
export interface CardAttributes {
  /** `#name`: an identity pinned by the author. */
  id: string | undefined
  /** `.reverse`: the card is also asked the other way round. */
  reverse: boolean
}

/** A card that passed validation. */
export interface Card {
  /** For a cloze card, the ords of its cards (cloze number − 1); `undefined` for a basic card. */
  cloze: number[] | undefined
  question: QuestionPart[]
  attributes: CardAttributes
  /** The answer lines (a cloze card's extra text) without leading and trailing blank lines; never empty for a basic card. */
  answer: SourceLine[]
  position: Position
}

/** A card with its fields rendered to HTML. */
export interface RenderedCard {
  /** For a cloze card, the ords of its cards; `undefined` for a basic card. */
  cloze: number[] | undefined
  /** Front field (a cloze card's Text): the question parts, each with its reference, joined with `<br>`. */
  front: string
  /** Back field (a cloze card's Extra): the answer. */
  back: string
  /** The question as plain text (parts joined with a space, no reference). */
  question: string
  attributes: CardAttributes
  /** Images and sounds the fields use, under their names in the package. */
  media: MediaFile[]
  position: Position
}

/** A card with its Anki identity: guid, note id and modification time. */
export interface Note {
  /** Anki's global note identity, matched on import. */
  guid: string
  /** Note id, milliseconds; card ids are `id + ord`. */
  id: number
  /** Modification time, seconds. */
  mod: number
  /** deckc note type id (a key of the note types in `anki/format.ts`). */
  notetype: number
  /** Field values in note type order. */
  fields: string[]
  /** Tags without spaces. */
  tags: string[]
  /** Ords of the cards this note has (template index, or cloze number − 1). */
  ords: number[]
  /** Where the card was written: `path:line`. */
  source: {path: string; line: number}
}

/** A deck: name with `::` between levels, and an HTML description. */
export interface Deck {
  id: number
  name: string
  description: string
}

/** A media file bundled into the package under a bare, normalised name. */
export interface MediaFile {
  name: string
  data: Uint8Array
}

/** Everything a package holds, as plain rows in the order they are written. */
export interface Collection {
  /** Decks, parents before children; cards refer to them by id. */
  decks: Deck[]
  notes: Note[]
  /** One row per card; `due` is the note's position in the lecture (from 1). */
  cards: Array<{id: number; nid: number; did: number; ord: number; mod: number; due: number}>
  media: MediaFile[]
}
