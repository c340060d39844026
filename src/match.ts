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
  return Array.from(matchPlaces(cards, pool), (place) => (place === -1 ? undefined : pool[place]))
}

/** {@link match}, as each card's place in `pool` (-1: a new card). */
export function matchPlaces(cards: Keyed[], pool: StateEntry[]): Int32Array {
  const found = new Int32Array(cards.length).fill(-1)
  const taken = new Uint8Array(pool.length)
  // The places of the entries by `#id`, and of those without one by question (indexed once: lectures
  // have thousands of cards), each list in pool order.
  const byId = new Map<string, number[]>()
  const byQuestion = new Map<string, number[]>()
  for (const [place, entry] of pool.entries()) {
    const [places, key] = entry.id === undefined ? [byQuestion, normalize(entry.question)] : [byId, entry.id]
    const same = places.get(key)
    if (same) same.push(place)
    else places.set(key, [place])
  }
  /** Take the first entry not taken yet among `places`. */
  const take = (index: number, places: number[] | undefined) => {
    for (const place of places ?? []) {
      if (taken[place]) continue
      taken[place] = 1
      found[index] = place
      return
    }
  }

  for (const [index, card] of cards.entries()) {
    const {id} = card.attributes
    take(index, id === undefined ? byQuestion.get(normalize(card.question)) : byId.get(id))
  }
  // A card with an `#id` still unmatched (rare) may take the entry of its question.
  for (const [index, card] of cards.entries()) {
    if (found[index] === -1 && card.attributes.id !== undefined) take(index, byQuestion.get(normalize(card.question)))
  }

  const added = [...cards.keys()].filter((index) => found[index] === -1)
  const removed = [...pool.keys()].filter((place) => !taken[place])
  // Typo matching compares every added with every removed question: past a million pairs (a lecture
  // rewritten wholesale) that is minutes and gigabytes, so the cards count as new instead.
  if (added.length === 0 || removed.length === 0 || added.length * removed.length > 1_000_000) return found

  const score = added.map((index) => removed.map((place) => similarity(normalize(cards[index]?.question ?? ''), normalize(pool[place]?.question ?? ''))))
  for (const [row, index] of added.entries()) {
    const scores = score[row] ?? []
    const best = uniqueBest(scores)
    if (best === undefined || (scores[best] ?? 0) < similarityThreshold) continue
    const column = score.map((other) => other[best] ?? 0)
    if (uniqueBest(column) === row) found[index] = removed[best] as number
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
