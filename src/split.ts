import type {VFile} from 'vfile'
import {isClozeLine} from './cloze.js'
import {defaultLimits, findDeepNesting, formatCount, mayNestBeyond} from './limits.js'
import type {DeepNesting, Limits, MeasuredLine} from './limits.js'
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
  /**
   * Inside fenced code, a `$$` block or an HTML comment, a list item, quote,
   * table row or indented line: never a question. `verbatim` lines (inside
   * fenced code or a `$$` block) are not Markdown at all.
   */
  | {kind: 'block'; verbatim?: true}
  | {kind: 'heading'; level: number; content: string; column: number}
  | {kind: 'text'; content: string; column: number}

interface Tail {
  question: string
  reference: {value: string; offset: number} | undefined
  attributes: {value: string; offset: number} | undefined
}

const fence = /^\s*(`{3,}|~{3,})(.*)$/
const listItem = /^(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/
const tableDelimiter = /^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?$/
/** A link reference or footnote definition (`[label]: …`, `[^1]: …`): it renders to nothing. */
const definition = /^\[[^\]]{1,999}\]:/

/**
 * Split a lecture's text into its deck title, front matter and card records.
 *
 * Two styles are understood. In *line style* a question is a line ending in
 * `?` (adjacent question lines form one multi-part question) and its answer is
 * every line up to the next question. A file with any heading of level 2 or
 * deeper is in *heading style*: every leaf heading of level 2 or deeper is a
 * question and its answer runs to the next heading.
 *
 * Past a limit, a lecture gets an error and loses what is past it: every card
 * when it has too many (`too-many-cards`); a card, the title line or the front
 * matter that is too large (`too-large`) or nests too deeply (`too-deep`) —
 * these never reach the Markdown parser.
 *
 * @param text
 *   The lecture with `\n` line endings.
 * @param file
 *   Receives `text-before-question` warnings and the limits' errors.
 * @param limits
 *   `cards`, `cardCharacters` and `nesting` (default: `defaultLimits`).
 */
export function split(text: string, file: VFile, limits: Pick<Limits, 'cards' | 'cardCharacters' | 'nesting'> = defaultLimits): LectureSource {
  const sourceLines = text.split('\n')
  const lines = classify(sourceLines)
  const frontMatter = findFrontMatter(sourceLines)
  const headingStyle = lines.some((line) => line.kind === 'heading' && line.level > 1)
  const isQuestion = headingStyle ? leafHeadings(lines) : (index: number) => questionLine(lines[index]) !== undefined
  // A text line with a cloze deletion (`{{c1::…}}`) starts a cloze card, question mark or not.
  const isCloze = (index: number) => {
    const line = lines[index]
    return line?.kind === 'text' && isClozeLine(line.content)
  }

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
      const found = titleOf(line, number, isQuestion(index) || isCloze(index))
      if (found) {
        title = found
        strayReported = false
        continue
      }
    }

    const cloze = isCloze(index)
    if (cloze || isQuestion(index)) {
      const part = questionPart(line, number)
      const style = cloze ? 'cloze' : headingStyle ? 'heading' : 'line'
      if (current && previousWasQuestion && current.style === style && style !== 'heading') {
        addPart(current, part)
      } else {
        current = newRecord(part, style)
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

  return applyLimits({title, frontMatter, records}, lines, sourceLines, file, limits)
}

/** Drop what is past the limits, with an error for each. */
function applyLimits(source: LectureSource, lines: Line[], sourceLines: string[], file: VFile, limits: Pick<Limits, 'cards' | 'cardCharacters' | 'nesting'>): LectureSource {
  const fail = (reason: string, place: Position['start'], ruleId: string) => {
    file.message(reason, {place, ruleId, source: 'deckc'}).fatal = true
  }
  const tooDeep = (found: DeepNesting) => fail(deepReason(found, limits.nesting), {line: found.line, column: found.column}, 'too-deep')
  // Formatted only when a limit is passed: the first toLocaleString call costs ~11 ms of a cold start.
  const most = () => formatCount(limits.cardCharacters)
  let {title, frontMatter} = source

  if (title && title.value.length > limits.cardCharacters) {
    fail(`Title is too long: found ${formatCount(title.value.length)} characters; expected at most ${most()} (shorten the first line)`, title.position.start, 'too-large')
    title = undefined
  }
  if (frontMatter) {
    const start = frontMatter.position.start
    const found =
      frontMatter.value.length > limits.cardCharacters
        ? undefined
        : findDeepNesting(frontMatter.value.split('\n').map((text, index) => ({line: start.line + index, column: 1, text, verbatim: false})), limits.nesting)
    if (frontMatter.value.length > limits.cardCharacters) {
      fail(`Front matter is too large: found ${formatCount(frontMatter.value.length)} characters; expected at most ${most()}`, start, 'too-large')
      frontMatter = undefined
    } else if (found) {
      tooDeep(found)
      frontMatter = undefined
    }
  }

  const extra = source.records[limits.cards]
  if (extra) {
    // Rendering the allowed cards of a lecture that fails anyway would only take time.
    fail(
      `Too many cards: found more than ${formatCount(limits.cards)} cards; expected at most ${formatCount(limits.cards)} in one lecture (split it into several files)`,
      extra.position.start,
      'too-many-cards'
    )
    return {title, frontMatter, records: []}
  }

  const records = source.records.filter((record) => {
    // Nesting first: it names the cause of a card that is also too large (a list 10,000 deep is 20,000 characters).
    // Text of no more characters than the limit cannot nest beyond it (most cards).
    let characters = 0
    for (const part of record.question) characters += part.text.value.length
    for (const line of record.answer) characters += line.text.length
    if (characters > limits.nesting && mayNestBeyond([...record.question.map((part) => part.text.value), ...record.answer.map((line) => line.text)], limits.nesting)) {
      const fields: MeasuredLine[][] = [
        ...record.question.map((part) => [{line: part.text.position.start.line, column: part.text.position.start.column, text: part.text.value, verbatim: false}]),
        record.answer.map((line) => {
          const kind = lines[line.line - 1]
          return {line: line.line, column: 1, text: line.text, verbatim: kind?.kind === 'block' && kind.verbatim === true}
        })
      ]
      for (const field of fields) {
        const found = findDeepNesting(field, limits.nesting)
        if (found) {
          tooDeep(found)
          return false
        }
      }
    }
    // Its lines, each with a line break but the last.
    let size = -1
    for (const part of record.question) size += (sourceLines[part.text.position.start.line - 1] ?? '').length + 1
    for (const line of record.answer) size += line.text.length + 1
    if (size > limits.cardCharacters) {
      fail(`Card is too large: found ${formatCount(size)} characters in its question and answer; expected at most ${most()} (split it into several cards)`, record.position.start, 'too-large')
      return false
    }
    return true
  })
  return {title, frontMatter, records}
}

function deepReason(found: DeepNesting, limit: number): string {
  const levels = `found more than ${formatCount(limit)} levels; expected at most ${formatCount(limit)}`
  switch (found.kind) {
    case 'block':
      return `Lists and block quotes are nested too deeply: ${levels} (flatten the list or quote)`
    case 'inline':
      return `Emphasis and links are nested too deeply: ${levels} (remove the extra markers)`
    case 'html':
      return `HTML elements are nested too deeply: ${levels} (close the open tags)`
    case 'code':
      return `Code is nested too deeply: found more than ${formatCount(limit)} open brackets or comments; expected at most ${formatCount(limit)}`
  }
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
      lines.push({kind: 'block', verbatim: true})
      continue
    }
    if (inMath) {
      if (trimmed.endsWith('$$')) inMath = false
      lines.push({kind: 'block', verbatim: true})
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

    const atx = atxHeading(text)
    if (atx) {
      lines.push({kind: 'heading', level: atx.level, content: atx.content, column: text.indexOf(atx.content) + 1})
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
      trimmed.startsWith('<!--') ||
      definition.test(trimmed)
    ) {
      lines.push({kind: 'block'})
      continue
    }

    lines.push({kind: 'text', content: trimmed, column: text.length - text.trimStart().length + 1})
  }

  return lines
}

/**
 * An ATX heading (`## text ##`): up to three spaces, one to six `#`, then
 * nothing or a space or tab; the text without an optional closing run of `#`
 * after a space or tab. Written without a regular expression, whose
 * backtracking over long runs of spaces takes quadratic time.
 */
function atxHeading(text: string): {level: number; content: string} | undefined {
  let offset = 0
  while (offset < 3 && text[offset] === ' ') offset++
  let level = 0
  while (text[offset + level] === '#') level++
  if (level === 0 || level > 6) return undefined
  const start = offset + level
  if (start < text.length && !blank(text[start])) return undefined
  let end = text.length
  while (end > start && blank(text[end - 1])) end--
  let contentStart = start
  while (contentStart < end && blank(text[contentStart])) contentStart++
  let close = end
  while (close > contentStart && text[close - 1] === '#') close--
  if (close < end && close > contentStart && blank(text[close - 1])) end = close
  return {level, content: text.slice(contentStart, end).trim()}
}

function blank(character: string | undefined): boolean {
  return character === ' ' || character === '\t'
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

/**
 * Take a question's trailing `(reference)` and `{attributes}` off its text:
 * the text, then optionally a `(…)` without parentheses inside, then
 * optionally a `{…}` without braces inside, spaces and tabs between. Read
 * from the end, in linear time.
 */
function parseTail(content: string): Tail {
  const skipBlanks = (end: number) => {
    while (end > 0 && blank(content[end - 1])) end--
    return end
  }
  /** Index of the opening bracket of a group closed at `end - 1`, when nothing but other characters is between. */
  const opening = (end: number, open: string, close: string) => {
    if (content[end - 1] !== close) return -1
    for (let index = end - 2; index >= 0; index--) {
      const character = content[index]
      if (character === open) return index
      if (character === close) return -1
    }
    return -1
  }
  let end = skipBlanks(content.length)
  let attributes: Tail['attributes']
  const brace = opening(end, '{', '}')
  if (brace !== -1) {
    attributes = {value: content.slice(brace + 1, end - 1), offset: brace + 1}
    end = skipBlanks(brace)
  }
  let reference: Tail['reference']
  const parenthesis = opening(end, '(', ')')
  if (parenthesis !== -1) {
    reference = {value: content.slice(parenthesis, end), offset: parenthesis}
    end = skipBlanks(parenthesis)
  }
  const tail: Tail = {question: content.slice(0, end), reference, attributes}
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
