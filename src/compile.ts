import {VFile} from 'vfile'
import {collect} from './collect.js'
import {decode} from './decode.js'
import {identify} from './identify.js'
import {plainText, render} from './render.js'
import {split} from './split.js'
import type {Collection, Lecture, Note, RenderedCard} from './types.js'
import {validate} from './validate.js'

/** Everything a build depends on besides the lectures. */
export interface CompileOptions {
  /** Build time in milliseconds: `SOURCE_DATE_EPOCH` × 1000 when set, else now. */
  clock: number
}

/** The outcome for one lecture. */
export interface CompiledDeck {
  lecture: Lecture
  /** The lecture's messages (errors have `fatal: true`). */
  file: VFile
  /** The deck name: the lecture's title, else its file name without extension. */
  deck: string
  /** The package contents; `undefined` when the lecture has errors. */
  collection: Collection | undefined
}

interface Parsed {
  lecture: Lecture
  file: VFile
  deck: string
  /** Where the deck name was written (the title line), for `duplicate-deck`. */
  deckPlace: {line: number; column: number}
  cards: RenderedCard[]
}

/**
 * Compile lectures into package contents, one deck per lecture. Every problem
 * of every lecture is reported on its `file`; a lecture with errors gets no
 * collection, the others are unaffected.
 *
 * @param lectures
 *   The lectures of this build, in the order their decks are reported.
 * @param options
 *   The build clock.
 */
export function compile(lectures: Lecture[], options: CompileOptions): CompiledDeck[] {
  const parsed = lectures.map((lecture) => parse(lecture))
  checkDeckNames(parsed)

  // New notes get ids backwards from the clock, one second apart, in authoring order.
  const total = parsed.reduce((sum, entry) => sum + entry.cards.length, 0)
  let next = options.clock - total * 1000
  const newId = () => {
    next += 1000
    return next - 1000
  }

  return parsed.map((entry): CompiledDeck => {
    const notes = identify(entry.cards, entry.file, {deck: entry.deck, path: entry.lecture.path, clock: options.clock, newId})
    const ok = !entry.file.messages.some((message) => message.fatal)
    return {
      lecture: entry.lecture,
      file: entry.file,
      deck: entry.deck,
      collection: ok ? collect({name: entry.deck, description: ''}, notes satisfies Note[]) : undefined
    }
  })
}

function parse(lecture: Lecture): Parsed {
  const file = new VFile({path: lecture.path})
  const fallback = {lecture, file, deck: stem(lecture.path), deckPlace: {line: 1, column: 1}, cards: []}
  const text = decode(lecture.value, file)
  if (text === undefined) return fallback
  const source = split(text, file)
  if (source.records.length === 0) {
    file.message('No cards: found no question; expected question lines ending with `?` (or headings, in heading style) followed by their answers', {
      place: {line: 1, column: 1},
      ruleId: 'no-cards',
      source: 'deckc'
    }).fatal = true
  }
  const cards = render(validate(source.records, file), file)
  const title = source.title ? plainText(source.title.value) : ''
  return {
    ...fallback,
    deck: title === '' ? fallback.deck : title,
    deckPlace: source.title?.position.start ?? fallback.deckPlace,
    cards
  }
}

/** Anki matches decks by name, case-insensitively: two lectures must not share one. */
function checkDeckNames(parsed: Parsed[]): void {
  const first = new Map<string, Parsed>()
  for (const entry of parsed) {
    const key = entry.deck.normalize('NFC').toLowerCase()
    const earlier = first.get(key)
    if (!earlier) {
      first.set(key, entry)
      continue
    }
    entry.file.message(
      `Duplicate deck: \`${entry.deck}\` is already the deck of ${earlier.lecture.path}; expected one lecture per deck (give this lecture its own title)`,
      {place: entry.deckPlace, ruleId: 'duplicate-deck', source: 'deckc'}
    ).fatal = true
  }
}

/** File name without folders and extension. */
function stem(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1)
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(0, dot) : name
}
