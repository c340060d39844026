import {distance} from 'fastest-levenshtein'
import type {StateEntry} from './state.js'

/**
 * How alike an edited question must be to its earlier text to keep its
 * identity: 1 − edit distance / length of the longer text, on normalised
 * text. 0.9 allows a typo or two; it keeps apart near-twins such as
 * "…in data part?" / "…in model part?" (0.86).
 */
export const similarityThreshold = 0.9

/**
 * Find each card's identity at the last build, among the entries of its
 * lecture and deck:
 *
 * 1. the same `#id`, or the same question (ignoring case, spacing and
 *    formatting);
 * 2. a card that gained an `#id` keeps the identity of its question;
 * 3. an edited question takes a removed one's identity when each is the other's
 *    unique best match and they are at least {@link similarityThreshold} alike.
 *
 * @param cards
 *   The lecture's cards, without duplicates.
 * @param pool
 *   Entries the cards may take; each is taken at most once.
 * @returns
 *   For each card, its entry, or `undefined` for a new card.
 */
export function match(cards: Keyed[], pool: StateEntry[]): Array<StateEntry | undefined> {
  const found: Array<StateEntry | undefined> = cards.map(() => undefined)
  const free = new Set(pool)

  /** Take the first free entry with the wanted key (entries indexed by key once: lectures have thousands of cards). */
  const taker = (key: (entry: StateEntry) => string | undefined) => {
    const byKey = new Map<string, StateEntry[]>()
    for (const entry of free) {
      const value = key(entry)
      if (value === undefined) continue
      const same = byKey.get(value)
      if (same) same.push(entry)
      else byKey.set(value, [entry])
    }
    return (index: number, wanted: string) => {
      const entry = byKey.get(wanted)?.find((candidate) => free.has(candidate))
      if (!entry) return
      found[index] = entry
      free.delete(entry)
    }
  }

  const takeExact = taker(entryKey)
  for (const [index, card] of cards.entries()) takeExact(index, identityKey(card))
  // Only when a card with an `#id` is still unmatched (rare): else the free entries need no index by question.
  if (cards.some((card, index) => !found[index] && card.attributes.id !== undefined)) {
    const takeQuestion = taker((entry) => (entry.id === undefined ? `q:${normalize(entry.question)}` : undefined))
    for (const [index, card] of cards.entries()) {
      if (!found[index] && card.attributes.id !== undefined) takeQuestion(index, `q:${normalize(card.question)}`)
    }
  }

  const added = [...cards.keys()].filter((index) => !found[index])
  const removed = [...free]
  // Typo matching compares every added with every removed question: past a million pairs (a lecture
  // rewritten wholesale) that is minutes and gigabytes, so the cards count as new instead.
  if (added.length === 0 || removed.length === 0 || added.length * removed.length > 1_000_000) return found

  const score = added.map((index) => removed.map((entry) => similarity(normalize(cards[index]?.question ?? ''), normalize(entry.question))))
  for (const [row, index] of added.entries()) {
    const scores = score[row] ?? []
    const best = uniqueBest(scores)
    if (best === undefined || (scores[best] ?? 0) < similarityThreshold) continue
    const column = score.map((other) => other[best] ?? 0)
    if (uniqueBest(column) === row) found[index] = removed[best]
  }
  return found
}

/** What matching reads of a card. */
export interface Keyed {
  question: string
  attributes: {id?: string | undefined}
}

/** What makes a card the same card: its `#id`, else its normalised question. */
export function identityKey(card: Keyed): string {
  return card.attributes.id === undefined ? `q:${normalize(card.question)}` : `id:${card.attributes.id}`
}

function entryKey(entry: StateEntry): string {
  return entry.id === undefined ? `q:${normalize(entry.question)}` : `id:${entry.id}`
}

/**
 * A deck's own name (its last `::` level), normalised: how the cards of a
 * renamed or moved lecture file are found again, whatever its folders.
 */
export function titleKey(deck: string): string {
  const at = deck.lastIndexOf('::')
  return normalize(at === -1 ? deck : deck.slice(at + 2))
}

/** Questions compare without case, NFC-normalised, with runs of white space as one space. */
export function normalize(text: string): string {
  // Printable ASCII with single inner spaces (most questions): only the case changes.
  if (!NOT_SIMPLE.test(text)) return text.toLowerCase()
  return text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim()
}

const NOT_SIMPLE = /[^\u0020-\u007E]| {2}|^ | $/

function similarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length)
  return longest === 0 ? 1 : 1 - distance(a, b) / longest
}

/** Index of the strictly highest score, or `undefined` when it is tied. */
function uniqueBest(scores: number[]): number | undefined {
  let best: number | undefined
  let tied = false
  for (const [index, value] of scores.entries()) {
    if (best === undefined || value > (scores[best] ?? 0)) {
      best = index
      tied = false
    } else if (value === scores[best]) {
      tied = true
    }
  }
  return tied ? undefined : best
}
