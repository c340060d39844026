/**
 * One lecture on its own: bytes in, rendered cards and messages out. Nothing
 * here depends on other lectures or on the state of the last build, so
 * lectures can be parsed in any order, or in worker threads (`toHeld` and
 * `fromHeld` tell the other threads what they need of a lecture whose cards a
 * worker keeps).
 */
import {VFile} from 'vfile'
import type {Config} from './config.js'
import {decode} from './decode.js'
import {engine} from './engine.js'
import type {FrontMatter} from './frontmatter.js'
import {cardHash, dedupe, ordsOf} from './identify.js'
import type {IdentityInput} from './identify.js'
import type {Keyed} from './match.js'
import {resolveLimits} from './limits.js'
import type {Limits} from './limits.js'
import type {ReadMedia} from './media.js'
import {plainText, render} from './render.js'
import {split} from './split.js'
import type {Lecture, Point, Position, RenderedCard} from './types.js'
import {validate} from './validate.js'

/** What parsing one lecture depends on besides its bytes. */
export interface ParseOptions {
  /** Reads the images and sounds the lecture references; without it, a reference is a `missing-media` error. */
  readMedia?: ReadMedia | undefined
  /** Render plain lines without remark (the same bytes, faster; default `true`). */
  fast?: boolean | undefined
  /** Limits that protect the machine (default: `defaultLimits` of `limits.ts`); any subset. */
  limits?: Partial<Limits> | undefined
  /** Display names of folders (by path below the root), for parent decks. */
  folders?: Record<string, string> | undefined
}

/** The parse options a project configuration (`deckc.config.json`) sets: its limits and folder names. */
export function configuredOptions(config: Pick<Config, 'limits' | 'folders'>): {limits: Record<string, number>; folders: Record<string, string>} {
  const limits = Object.entries(config.limits ?? {}).filter((entry): entry is [string, number] => entry[1] !== undefined)
  return {limits: Object.fromEntries(limits), folders: config.folders ?? {}}
}

/** A lecture's cards, rendered, with its messages and deck settings. */
export interface ParsedLecture {
  lecture: Lecture
  file: VFile
  /** Full deck name: parent decks from folders, then `title`. */
  deck: string
  /** The lecture's own deck name: front matter `deck`, else the title line, else the file name. */
  title: string
  /** Where the deck name was written, for `duplicate-deck`. */
  deckPlace: {line: number; column: number}
  description: string
  tags: string[]
  reverse: boolean
  cards: RenderedCard[]
}

/**
 * A lecture parsed by a worker thread, which keeps its cards until it packs
 * its deck: what this thread reads of it, everything but the cards.
 */
export interface HeldLecture extends Omit<ParsedLecture, 'cards'> {
  /** Each card's question, `#id` and content hash, in order. */
  keys: PackedKeys
  /** Card rows of its package: one a note, two for a reversed one, one per cloze number. */
  rows: number
  /** The worker that holds its cards (by its number in the pool). */
  holder: number
}

/** What matching reads of each card of a parsed or held lecture. */
export function keysOf(parsed: ParsedLecture | HeldLecture): Keyed[] {
  return 'keys' in parsed ? unpackKeys(parsed.keys) : parsed.cards
}

/** How many cards a parsed or held lecture has. */
export function cardCount(parsed: ParsedLecture | HeldLecture): number {
  return 'keys' in parsed ? parsed.keys.ends.length : parsed.cards.length
}

/**
 * The keys of a lecture's cards in a few objects rather than three a card:
 * this thread keeps them for every held lecture until its deck is made, which
 * for a million cards is a million questions.
 */
export interface PackedKeys {
  /** The questions, one after the other. */
  questions: string
  /** Where each question ends in `questions`. */
  ends: Uint32Array
  /** The `#id`s, by card index. */
  ids: Array<[number, string]>
  /** Each card's content hash (`cardHash`, 16 characters), one after the other. */
  hashes: string
}

function packKeys(parsed: ParsedLecture): PackedKeys {
  const {cards} = parsed
  const ends = new Uint32Array(cards.length)
  const ids: Array<[number, string]> = []
  let end = 0
  for (const [index, {attributes, question}] of cards.entries()) {
    end += question.length
    ends[index] = end
    if (attributes.id !== undefined) ids.push([index, attributes.id])
  }
  const hashes = cards.map((card) => cardHash(card, parsed)).join('')
  return {questions: cards.map((card) => card.question).join(''), ends, ids, hashes}
}

/** The keys of a held lecture's cards, with their hashes. */
export function unpackKeys({questions, ends, ids, hashes}: PackedKeys): IdentityInput[] {
  const idOf = new Map(ids)
  return Array.from(ends, (end, index) => ({
    attributes: {id: idOf.get(index)},
    question: questions.slice(index === 0 ? 0 : ends[index - 1], end),
    hash: hashes.slice(16 * index, 16 * index + 16)
  }))
}

/**
 * Parse one lecture: decode, split into cards, validate, render. Every
 * problem is a message on `file`; a lecture with errors still returns the
 * cards that rendered.
 */
export function parseLecture(lecture: Lecture, options: ParseOptions = {}): ParsedLecture {
  const file = new VFile({path: lecture.path})
  const relative = lecture.relative ?? lecture.path.slice(lecture.path.lastIndexOf('/') + 1)
  const parents = parentDecks(relative, options.folders ?? {})
  const name = stem(relative)
  const base = {lecture, file, deck: deckName([...parents, name].join('::')), title: name, deckPlace: {line: 1, column: 1}, description: '', reverse: false}
  const tags = [lectureTag(relative)]
  const limits = resolveLimits(options.limits)
  const text = decode(lecture.value, file, limits)
  if (text === undefined) return {...base, tags, cards: []}

  const source = split(text, file, limits)
  const front = source.frontMatter && source.frontMatter.value.trim() !== '' ? engine().readFrontMatter(source.frontMatter, file) : ({} satisfies FrontMatter)
  // A lecture whose cards were all refused by a limit already has its error.
  if (source.records.length === 0 && !file.messages.some((message) => message.fatal)) {
    file.message('No cards: found no question; expected question lines ending with `?` (or headings, in heading style) followed by their answers', {
      place: {line: 1, column: 1},
      ruleId: 'no-cards',
      source: 'deckc'
    }).fatal = true
  }
  const media = {lecture: lecture.path, read: options.readMedia}
  const cards = dedupe(render(validate(source.records, file), file, media, {fast: options.fast ?? true}), file)
  const title = front.deck ?? (source.title ? plainText(source.title.value, options.fast ?? true) : '')
  const own = title === '' ? name : title
  return {
    ...base,
    deck: deckName([...parents, own].join('::')),
    title: own,
    deckPlace: source.title?.position.start ?? base.deckPlace,
    description: front.description === undefined ? '' : engine().renderDescription(front.description, file, source.frontMatter?.position.start),
    tags: [...new Set([...(front.tags ?? []), ...tags])],
    reverse: front.reverse ?? false,
    cards
  }
}

/**
 * A deck name as Anki stores it, so that the package holds what the user
 * gets: each `::` level NFC-normalised, without control characters, trimmed,
 * and `blank` when empty.
 */
function deckName(name: string): string {
  return name
    .split('::')
    .map((level) => level.normalize('NFC').replace(/[\u0000-\u001F\u007F]/g, '').trim() || 'blank')
    .join('::')
}

/** Parent deck names from a lecture's folders, with display names from the configuration's `folders`. */
function parentDecks(relative: string, folders: Record<string, string>): string[] {
  const parts = relative.split('/').slice(0, -1)
  return parts.map((part, index) => folders[parts.slice(0, index + 1).join('/')] ?? part)
}

/** The tag every card of a lecture gets: its path below the root without extension, folders joined by `::`. */
function lectureTag(relative: string): string {
  return relative
    .replace(/\.md$/i, '')
    .split('/')
    .map((part) => part.replace(/[\s\u0000-\u001F]+/g, '_'))
    .join('::')
}

/** File name without folders and extension. */
function stem(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1)
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(0, dot) : name
}

/** A message as plain data. */
export interface MessageData {
  reason: string
  place: Point | Position | undefined
  ruleId: string | undefined
  source: string | undefined
  /** `true` an error, `false` a warning, `null`/`undefined` informational (as in VFileMessage). */
  fatal: boolean | null | undefined
}

/**
 * A parsed lecture as plain data for another thread (structured-clone safe),
 * without the lecture's bytes and its cards: what matching and identity read
 * of them (a {@link HeldLecture} on the other side).
 */
export type HeldData = Omit<HeldLecture, 'lecture' | 'file' | 'holder'> & {lecture: Omit<Lecture, 'value'>; messages: MessageData[]}

/** What the thread holding a parsed lecture's cards tells the others of it. */
export function toHeld(parsed: ParsedLecture): HeldData {
  const {lecture, file, cards, ...rest} = parsed
  const {value: _, ...where} = lecture
  return {
    ...rest,
    lecture: where,
    messages: file.messages.map((message) => ({reason: message.reason, place: message.place, ruleId: message.ruleId, source: message.source, fatal: message.fatal})),
    keys: packKeys(parsed),
    rows: cards.reduce((sum, card) => sum + ordsOf(card, parsed).length, 0)
  }
}

/** {@link HeldData} back as a lecture whose cards `holder` keeps. */
export function fromHeld(data: HeldData, lecture: Lecture, holder: number): HeldLecture {
  const {lecture: _, messages, ...rest} = data
  const file = new VFile({path: lecture.path})
  for (const message of messages) {
    const restored = file.message(message.reason, {
      ...(message.place === undefined ? {} : {place: message.place}),
      ...(message.ruleId === undefined ? {} : {ruleId: message.ruleId}),
      ...(message.source === undefined ? {} : {source: message.source})
    })
    restored.fatal = message.fatal
  }
  return {...rest, lecture, file, holder}
}
