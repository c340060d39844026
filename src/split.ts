import type {VFile} from 'vfile'
import type {CardRecord, LectureSource, Located, Position, QuestionPart} from './types.js'

/**
 * What a source line is, as far as finding cards goes. Markdown is not parsed
 * here: cards are split by lines first, because CommonMark's lazy continuation
 * would glue a question line written under a bullet into that bullet.
 */
type Line =
  | {kind: 'blank'}
  /** Front matter: never part of a card. */
  | {kind: 'meta'}
  /** Inside fenced code, a `$$` block or an HTML comment, a list item, quote, table row or indented line: never a question. */
  | {kind: 'block'}
  | {kind: 'heading'; level: number; content: string; column: number}
  | {kind: 'text'; content: string; column: number}

interface Tail {
  question: string
  reference: {value: string; offset: number} | undefined
  attributes: {value: string; offset: number} | undefined
}

const fence = /^\s*(`{3,}|~{3,})(.*)$/
const heading = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/
const listItem = /^(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/
const tableDelimiter = /^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?$/
/** Question text, then an optional `(reference)`, then an optional `{attributes}` block. */
const questionTail = /^(.*?)(?:[ \t]*(\([^()]*\)))?(?:[ \t]*\{([^{}]*)\})?[ \t]*$/d

/**
 * Split a lecture's text into its deck title, front matter and card records.
 *
 * Two styles are understood. In *line style* a question is a line ending in
 * `?` (adjacent question lines form one multi-part question) and its answer is
 * every line up to the next question. A file with any heading of level 2 or
 * deeper is in *heading style*: every leaf heading of level 2 or deeper is a
 * question and its answer runs to the next heading.
 *
 * @param text
 *   The lecture with `\n` line endings.
 * @param file
 *   Receives `text-before-question` warnings.
 */
export function split(text: string, file: VFile): LectureSource {
  const sourceLines = text.split('\n')
  const lines = classify(sourceLines)
  const frontMatter = findFrontMatter(sourceLines)
  const headingStyle = lines.some((line) => line.kind === 'heading' && line.level > 1)
  const isQuestion = headingStyle ? leafHeadings(lines) : (index: number) => questionLine(lines[index]) !== undefined

  const records: CardRecord[] = []
  let title: Located<string> | undefined
  let current: CardRecord | undefined
  /** Whether the line before was a question line of `current` (for multi-part questions). */
  let previousWasQuestion = false
  /** Whether stray text was already reported since the last card or section. */
  let strayReported = false

  for (const [index, line] of lines.entries()) {
    const number = index + 1
    if (line.kind === 'meta') continue

    if (title === undefined && current === undefined && records.length === 0 && !strayReported && line.kind !== 'blank') {
      const found = titleOf(line, number, isQuestion(index))
      if (found) {
        title = found
        strayReported = false
        continue
      }
    }

    if (isQuestion(index)) {
      const part = questionPart(line, number)
      if (current && previousWasQuestion && !headingStyle) {
        addPart(current, part)
      } else {
        current = newRecord(part, headingStyle ? 'heading' : 'line')
        records.push(current)
      }
      previousWasQuestion = true
      strayReported = false
      continue
    }

    previousWasQuestion = false
    if (line.kind === 'heading' && (headingStyle || line.level === 1)) {
      // A section heading: it makes no card and ends the card before it.
      current = undefined
      strayReported = false
      continue
    }

    if (current) {
      current.answer.push({line: number, text: sourceLines[index] ?? ''})
      current.position.end = {line: number, column: (sourceLines[index] ?? '').length + 1}
    } else if (line.kind !== 'blank' && !strayReported) {
      strayReported = true
      const reason = headingStyle
        ? 'Text outside any card is not compiled: found text under a section heading; expected a question heading (level 2 or deeper) above it'
        : 'Text before the first question is not compiled: found a line that is not a question; expected a question line ending with `?`'
      file.message(reason, {place: {line: number, column: 1}, ruleId: 'text-before-question', source: 'deckc'})
    }
  }

  return {title, frontMatter, records}
}

/** Sort every line into what it can be, tracking code fences, math blocks, comments and tables. */
function classify(sourceLines: string[]): Line[] {
  const lines: Line[] = []
  const frontMatterEnd = frontMatterLength(sourceLines)
  let openFence: {marker: string; length: number} | undefined
  let inMath = false
  let inComment = false
  let inTable = false

  for (const [index, text] of sourceLines.entries()) {
    if (index < frontMatterEnd) {
      lines.push({kind: 'meta'})
      continue
    }

    const trimmed = text.trim()
    if (openFence) {
      const close = fence.exec(text)
      if (close?.[1] && close[1][0] === openFence.marker && close[1].length >= openFence.length && close[2]?.trim() === '') {
        openFence = undefined
      }
      lines.push({kind: 'block'})
      continue
    }
    if (inMath) {
      if (trimmed.endsWith('$$')) inMath = false
      lines.push({kind: 'block'})
      continue
    }
    if (inComment) {
      if (trimmed.includes('-->')) inComment = opensComment(trimmed.slice(trimmed.indexOf('-->') + 3))
      lines.push({kind: 'block'})
      continue
    }
    if (trimmed === '') {
      inTable = false
      lines.push({kind: 'blank'})
      continue
    }

    const open = fence.exec(text)
    if (open?.[1] && !(open[1][0] === '`' && open[2]?.includes('`'))) {
      openFence = {marker: open[1][0] ?? '`', length: open[1].length}
      lines.push({kind: 'block'})
      continue
    }
    if (trimmed.startsWith('$$') && (trimmed === '$$' || !trimmed.slice(2).includes('$$'))) {
      inMath = true
      lines.push({kind: 'block'})
      continue
    }
    if (opensComment(trimmed)) inComment = true

    if (tableDelimiter.test(trimmed) && trimmed.includes('|')) {
      inTable = true
      const previous = lines.at(-1)
      if (previous && previous.kind !== 'blank') lines[lines.length - 1] = {kind: 'block'}
      lines.push({kind: 'block'})
      continue
    }

    const atx = heading.exec(text)
    if (atx?.[1]) {
      const content = (atx[2] ?? '').trim()
      lines.push({kind: 'heading', level: atx[1].length, content, column: text.indexOf(content) + 1})
      continue
    }

    const indented = /^(?: {4}|\t)/.test(text) || (/^[ \t]/.test(text) && lines.at(-1)?.kind === 'block')
    if (
      inTable ||
      indented ||
      listItem.test(trimmed) ||
      trimmed.startsWith('>') ||
      trimmed.startsWith('|') ||
      (trimmed.endsWith('|') && trimmed.length > 1) ||
      trimmed.startsWith('$$') ||
      trimmed.startsWith('<!--')
    ) {
      lines.push({kind: 'block'})
      continue
    }

    lines.push({kind: 'text', content: trimmed, column: text.length - text.trimStart().length + 1})
  }

  return lines
}

/** Whether a line leaves an HTML comment open. */
function opensComment(text: string): boolean {
  const start = text.lastIndexOf('<!--')
  return start !== -1 && !text.slice(start + 4).includes('-->')
}

/** Number of lines taken by YAML front matter: `---` on the first line up to a closing `---` or `...`. */
function frontMatterLength(sourceLines: string[]): number {
  if (sourceLines[0]?.trimEnd() !== '---') return 0
  for (let index = 1; index < sourceLines.length; index++) {
    const text = sourceLines[index]?.trimEnd()
    if (text === '---' || text === '...') return index + 1
  }
  return 0
}

function findFrontMatter(sourceLines: string[]): Located<string> | undefined {
  const length = frontMatterLength(sourceLines)
  if (length === 0) return undefined
  return {
    value: sourceLines.slice(1, length - 1).join('\n'),
    position: {start: {line: 2, column: 1}, end: {line: length - 1, column: (sourceLines[length - 2] ?? '').length + 1}}
  }
}

/** The deck title: a first plain line or level-1 heading that is not a question. */
function titleOf(line: Line, number: number, question: boolean): Located<string> | undefined {
  if (question) return undefined
  if ((line.kind === 'heading' && line.level === 1) || line.kind === 'text') {
    if (line.content === '') return undefined
    return {value: line.content, position: span(number, line.column, line.content.length)}
  }
  return undefined
}

/** In heading style, a question is a heading of level 2 or deeper with no deeper heading under it. */
function leafHeadings(lines: Line[]): (index: number) => boolean {
  const leaves = new Set<number>()
  let open: {index: number; level: number} | undefined
  for (const [index, line] of lines.entries()) {
    if (line.kind !== 'heading') continue
    if (open && line.level <= open.level) leaves.add(open.index)
    open = line.level > 1 ? {index, level: line.level} : undefined
  }
  if (open) leaves.add(open.index)
  return (index) => leaves.has(index)
}

/** Parse a line-style question line, or `undefined` when the line is not one. */
function questionLine(line: Line | undefined): Tail | undefined {
  if (line?.kind !== 'text') return undefined
  const tail = parseTail(line.content)
  // `\?` is an escaped, literal question mark; a lone `?` asks nothing.
  if (!tail.question.endsWith('?') || tail.question.endsWith('\\?') || !/[^\s?]/.test(tail.question)) return undefined
  return tail
}

/** Take a question's trailing `(reference)` and `{attributes}` off its text. */
function parseTail(content: string): Tail {
  const match = questionTail.exec(content)
  const at = (group: number) => {
    const value = match?.[group]
    const range = match?.indices?.[group]
    return value === undefined || range === undefined ? undefined : {value, offset: range[0]}
  }
  const tail: Tail = {question: match?.[1] ?? content, reference: at(2), attributes: at(3)}
  // A reference only follows a question mark; elsewhere (a heading) it is part of the text.
  if (tail.reference && !tail.question.endsWith('?')) {
    tail.question = content.slice(0, tail.reference.offset + tail.reference.value.length)
    tail.reference = undefined
  }
  return tail
}

/** The part of a question one line holds, positioned. */
function questionPart(line: Line, number: number): {part: QuestionPart; attributes: Located<string> | undefined} {
  if (line.kind !== 'text' && line.kind !== 'heading') throw new Error('Expected a question line')
  const tail = parseTail(line.content)
  const reference = tail.reference
  const attributes = tail.attributes
  return {
    part: {
      text: {value: tail.question, position: span(number, line.column, tail.question.length)},
      reference: reference && {value: reference.value, position: span(number, line.column + reference.offset, reference.value.length)}
    },
    // The attribute block's position is that of its text inside the braces.
    attributes: attributes && {value: attributes.value, position: span(number, line.column + attributes.offset, attributes.value.length)}
  }
}

function newRecord(found: ReturnType<typeof questionPart>, style: CardRecord['style']): CardRecord {
  const {start, end} = found.part.text.position
  return {
    style,
    question: [found.part],
    attributes: found.attributes ? [found.attributes] : [],
    answer: [],
    position: {start: {...start}, end: {...end}}
  }
}

function addPart(record: CardRecord, found: ReturnType<typeof questionPart>): void {
  record.question.push(found.part)
  if (found.attributes) record.attributes.push(found.attributes)
  record.position.end = {...found.part.text.position.end}
}

function span(line: number, column: number, length: number): Position {
  return {start: {line, column}, end: {line, column: column + length}}
}
