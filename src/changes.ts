import type {Changes} from './identify.js'

/**
 * An Anki search that finds a card by deck and question, to paste into the
 * Browser: words of the question in order, with anything between them (the
 * field holds HTML), in the `Front` field of notes of the deck.
 *
 * @example
 *   ankiSearch('L9', 'What is model parallelism?')
 *   // → `"deck:L9" "front:*What*is*model*parallelism*"`
 */
export function ankiSearch(deck: string, question: string): string {
  const words = question.match(/[\p{L}\p{N}]+/gu) ?? []
  return `"deck:${escapeSearch(deck)}" "front:*${words.join('*')}*"`
}

/** In Anki searches `*` and `_` are wildcards and `"` and `\` must be escaped. */
function escapeSearch(text: string): string {
  return text.replace(/[\\"*_]/g, (character) => `\\${character}`)
}

/**
 * Describe what importing a rebuilt deck does, for people: counts, cards that
 * Anki keeps in another deck, and cards that are gone from the notes.
 *
 * @returns
 *   Lines; search lines are indented by two spaces.
 */
export function describeChanges(changes: Changes): string[] {
  const lines = [`${changes.added} new, ${changes.updated} updated, ${changes.unchanged} unchanged`]
  if (changes.moved.length > 0) {
    const from = [...new Set(changes.moved.map((item) => `"${item.from}"`))].join(', ')
    lines.push(`${count(changes.moved.length)} moved here from ${from}: Anki keeps existing cards in their old deck (move them with Browse → Change Deck)`)
  }
  if (changes.removed.length > 0) {
    lines.push(`${count(changes.removed.length)} removed from the notes: Anki keeps ${changes.removed.length === 1 ? 'it' : 'them'}; find and delete in Browse with:`)
    for (const item of changes.removed) lines.push(`  ${ankiSearch(item.deck, item.question)}`)
  }
  return lines
}

function count(n: number): string {
  return `${n} ${n === 1 ? 'card' : 'cards'}`
}
