/**
 * Anki's cloze deletions, `{{c1::Paris}}` and `{{c2::France::country}}`: what
 * makes a line a cloze line, and the problems Anki would trip over.
 */

/** Something that looks like the start of a deletion: `{{c` and a number and `::`. */
const opener = /\{\{c(\d+)::/g

/** One deletion of a cloze line. */
export interface Deletion {
  /** Cloze number (`c3` → 3): the card `ord` is number − 1. */
  number: number
  /** Offsets of `{{` and of the character after `}}`. */
  start: number
  end: number
}

/** A deletion problem, at an offset in the line. */
export interface ClozeProblem {
  offset: number
  reason: string
}

/** Whether a line asks for cloze deletions: it contains `{{cN::`. */
export function isClozeLine(text: string): boolean {
  opener.lastIndex = 0
  return opener.test(text)
}

/**
 * Find the deletions of a cloze line. A deletion runs from `{{cN::` to the
 * first `}}`; it must be numbered from 1 (`c0` is an error), closed, not empty,
 * and not hold another deletion (Anki before 2.1.56 cannot nest them).
 */
export function findDeletions(text: string): {deletions: Deletion[]; problems: ClozeProblem[]} {
  const deletions: Deletion[] = []
  const problems: ClozeProblem[] = []
  opener.lastIndex = 0
  let match: RegExpExecArray | null
  while ((match = opener.exec(text))) {
    const start = match.index
    const number = Number(match[1])
    const close = text.indexOf('}}', opener.lastIndex)
    if (close === -1) {
      problems.push({offset: start, reason: `Cloze deletion \`${match[0]}\` is not closed; expected \`}}\` after its text`})
      break
    }
    const inner = text.slice(opener.lastIndex, close)
    if (number === 0 || !Number.isSafeInteger(number)) {
      problems.push({offset: start, reason: `Cloze number \`c${match[1] ?? ''}\` is invalid; expected \`c1\`, \`c2\`, …`})
    } else if (inner.replace(/::.*$/s, '').trim() === '') {
      problems.push({offset: start, reason: 'Cloze deletion is empty; expected the text to hide between `::` and `}}`'})
    } else if (/\{\{c\d+::/.test(inner)) {
      problems.push({offset: start, reason: 'Cloze deletions are nested; expected each deletion closed with `}}` before the next one'})
    } else {
      deletions.push({number, start, end: close + 2})
    }
    opener.lastIndex = close + 2
  }
  return {deletions, problems}
}

/** The text of a cloze line without its markup: `{{c1::Paris::city}}` → `Paris`. */
export function clozeText(text: string): string {
  return text.replace(/\{\{c\d+::(.*?)(?:::.*?)?\}\}/gs, '$1')
}

/**
 * Anki's card ords for the deletions: one per distinct number, number − 1;
 * numbers of 500 and more share ord 499 (anki-apkg-format.md §6.2).
 */
export function clozeOrds(deletions: Deletion[]): number[] {
  return [...new Set(deletions.map((deletion) => Math.min(deletion.number, 500) - 1))].sort((a, b) => a - b)
}

/** Keep `{{` in a field where it must stay text (Anki would read `{{c1::…}}` there as a deletion). */
export function literalBraces(html: string): string {
  return html.replace(/\{\{/g, '{&#123;')
}
