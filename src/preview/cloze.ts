/**
 * Anki's cloze deletions, `{{c1::text}}` and `{{c1::text::hint}}` (nested
 * too), as the `cloze:` template filter shows them on one card: the card's
 * own deletion hidden on the question and highlighted on the answer, every
 * other deletion shown as plain text (ankitects/anki rslib/src/cloze.rs).
 */

/** A deletion and what it holds. */
interface Cloze {
  number: number
  children: Node[]
  hint: string | undefined
}

type Node = string | Cloze

/** Which side of the card is rendered. */
export type Side = 'question' | 'answer'

/**
 * Renders a cloze field for one card.
 *
 * @param text The field's HTML.
 * @param number The card's cloze number (its ord + 1).
 * @param side `question`: the deletion becomes `[...]` (or `[hint]`);
 *   `answer`: its text is shown, highlighted.
 * @returns HTML; deletions are wrapped in `<span class="cloze">` (this card's)
 *   or `<span class="cloze-inactive">` (the others), as Anki does.
 */
export function renderCloze(text: string, number: number, side: Side): string {
  return renderNodes(parseCloze(text), number, side)
}

/**
 * The cloze numbers a field uses; each is one card of a cloze note.
 *
 * @param text The field's HTML.
 */
export function clozeNumbers(text: string): Set<number> {
  const numbers = new Set<number>()
  const visit = (nodes: Node[]): void => {
    for (const node of nodes) {
      if (typeof node === 'string') continue
      numbers.add(node.number)
      visit(node.children)
    }
  }
  visit(parseCloze(text))
  return numbers
}

/** `{{cN::` opens a deletion (N ≥ 1), `}}` closes the innermost; anything unmatched is text. */
function parseCloze(text: string): Node[] {
  const root: Node[] = []
  const open: Cloze[] = []
  const current = (): Node[] => open.at(-1)?.children ?? root
  let position = 0
  for (const match of text.matchAll(/\{\{c(\d+)::|\}\}/g)) {
    const before = text.slice(position, match.index)
    if (before) current().push(before)
    position = match.index + match[0].length
    const number = match[1]
    if (number !== undefined && Number(number) > 0) {
      const cloze: Cloze = {number: Number(number), children: [], hint: undefined}
      current().push(cloze)
      open.push(cloze)
    } else if (number === undefined && open.length > 0) {
      close(open.pop() as Cloze)
    } else {
      current().push(match[0])
    }
  }
  if (position < text.length) current().push(text.slice(position))
  // Deletions never closed are text after all: put their opening back.
  while (open.length > 0) {
    const cloze = open.pop() as Cloze
    const siblings = open.at(-1)?.children ?? root
    siblings.splice(siblings.indexOf(cloze), 1, `{{c${cloze.number}::`, ...cloze.children)
  }
  return root
}

/** As Anki does: the first `::` in the deletion's last text separates the hint. */
function close(cloze: Cloze): void {
  const last = cloze.children.at(-1)
  if (typeof last !== 'string') return
  const separator = last.indexOf('::')
  if (separator === -1) return
  cloze.hint = last.slice(separator + 2)
  const rest = last.slice(0, separator)
  if (rest) cloze.children[cloze.children.length - 1] = rest
  else cloze.children.pop()
}

function renderNodes(nodes: Node[], number: number, side: Side): string {
  return nodes.map((node) => (typeof node === 'string' ? node : renderDeletion(node, number, side))).join('')
}

function renderDeletion(cloze: Cloze, number: number, side: Side): string {
  if (cloze.number !== number) {
    return `<span class="cloze-inactive" data-ordinal="${cloze.number}">${renderNodes(cloze.children, number, side)}</span>`
  }
  const inside = side === 'question' ? `[${cloze.hint ?? '...'}]` : renderNodes(cloze.children, number, side)
  return `<span class="cloze" data-ordinal="${cloze.number}">${inside}</span>`
}
