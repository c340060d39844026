import type {VFile} from 'vfile'
import * as z from 'zod/mini'
import {compiledObject} from './schema.js'
import {clozeOrds, findDeletions} from './cloze.js'
import type {Deletion} from './cloze.js'
import type {Card, CardAttributes, CardRecord, Position} from './types.js'

const counting = z.int().check(z.positive())
/**
 * A place in the lecture: checked as a whole, in place. Records have a
 * position for every question part, reference, attribute block and card;
 * as zod objects, copied three objects at a time, they were more than half
 * of checking a record.
 */
const position = z.custom<Position>(isPosition, 'expected a position: start and end with positive whole line and column')
const located = compiledObject({value: z.string(), position})
const sourceLine = compiledObject({line: counting, text: z.string()})

function isPosition(value: unknown): value is Position {
  return isObject(value) && isPoint(value['start']) && isPoint(value['end'])
}

function isPoint(value: unknown): boolean {
  return isObject(value) && isCounting(value['line']) && isCounting(value['column'])
}

function isCounting(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) > 0
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/** Where a transform reports problems. */
type Context = z.core.ParsePayload

/** A card id: letters and digits, then also `-`, `_`, `.` and `:`. */
const cardId = /^[\p{L}\p{N}][\p{L}\p{N}_.:-]*$/u

/** Problems zod finds carry the rule id of the message they become. */
type Rule = 'missing-answer' | 'empty-question' | 'bad-attribute' | 'bad-cloze'

function fail(context: Context, rule: Rule, message: string, path: Array<string | number>): void {
  context.issues.push({code: 'custom', message, path, params: {rule}, input: undefined})
}

const cardRecord = z.pipe(
  compiledObject({
    style: z.enum(['line', 'heading', 'cloze']),
    question: z.array(compiledObject({text: located, reference: z.optional(located)})).check(z.minLength(1)),
    attributes: z.array(located),
    answer: z.array(sourceLine),
    position
  }),
  z.transform((record, context): Card => {
    for (const [index, part] of record.question.entries()) {
      if (part.text.value.trim() === '') {
        fail(context, 'empty-question', 'Question is empty: found a heading without text; expected the question as the heading text', ['question', index])
      }
    }
    const answer = trimBlankLines(record.answer)
    const cloze = record.style === 'cloze' ? clozeOrdsOf(record.question, context) : undefined
    if (answer.length === 0 && record.style !== 'cloze') {
      fail(context, 'missing-answer', 'Question has no answer: found the next question or the end of the file; expected answer lines below the question', ['question', 0])
    }
    return {
      cloze,
      question: record.question.map((part) => ({text: part.text, reference: part.reference})),
      attributes: parseAttributes(record.attributes, context),
      answer,
      position: record.position
    }
  })
)

/**
 * Check card records and turn them into cards. Every problem of every card
 * becomes an error message at its place; cards with errors are left out.
 *
 * @param records
 *   Card records from `split`.
 * @param file
 *   Receives `missing-answer`, `empty-question` and `bad-attribute` errors.
 */
export function validate(records: CardRecord[], file: VFile): Card[] {
  const cards: Card[] = []
  for (const record of records) {
    const result = cardRecord.safeParse(record)
    if (result.success) {
      cards.push(result.data)
      continue
    }
    for (const issue of result.error.issues) {
      const rule = issue.code === 'custom' ? (issue.params?.['rule'] as Rule | undefined) : undefined
      const message = file.message(rule ? issue.message : `Invalid card record: ${issue.message}`, {
        place: placeOf(record, issue.path),
        ruleId: rule ?? 'invalid-card',
        source: 'deckc'
      })
      message.fatal = true
    }
  }
  return cards
}

/**
 * Follow a zod issue's path back into the record to the nearest thing with a
 * valid position; a number after a located string's `value` is an offset into it.
 */
function placeOf(record: CardRecord, path: PropertyKey[]): Position {
  let node: unknown = record
  let found: Position = record.position
  for (const key of path) {
    if (typeof node === 'string' && typeof key === 'number') {
      const start = {line: found.start.line, column: found.start.column + key}
      return {start, end: start}
    }
    if (node === null || typeof node !== 'object') break
    node = (node as Record<PropertyKey, unknown>)[key]
    const candidate = node as {position?: unknown; text?: {position?: unknown}} | undefined
    // The place of the issue itself may be what is wrong.
    const place = [candidate?.position, candidate?.text?.position].find(isPosition)
    if (place) found = place
  }
  return found
}

/** The cards of a cloze note; each malformed deletion is a `bad-cloze` error at its place. */
function clozeOrdsOf(parts: Array<{text: {value: string}}>, context: Context): number[] {
  const all: Deletion[] = []
  for (const [index, part] of parts.entries()) {
    const {deletions, problems} = findDeletions(part.text.value)
    all.push(...deletions)
    for (const problem of problems) fail(context, 'bad-cloze', problem.reason, ['question', index, 'text', 'value', problem.offset])
  }
  if (all.length === 0) fail(context, 'bad-cloze', 'Cloze line has no valid deletion; expected `{{c1::hidden text}}`', ['question', 0])
  return clozeOrds(all)
}

function trimBlankLines<T extends {text: string}>(lines: T[]): T[] {
  let start = 0
  let end = lines.length
  while (start < end && lines[start]?.text.trim() === '') start++
  while (end > start && lines[end - 1]?.text.trim() === '') end--
  return lines.slice(start, end)
}

/**
 * Read `{#id .reverse}` attribute blocks. A card has at most one block; `#name`
 * pins the card's identity, `.reverse` adds the reversed card.
 */
function parseAttributes(blocks: CardRecord['attributes'], context: Context): CardAttributes {
  const attributes: CardAttributes = {id: undefined, reverse: false}
  for (const [index, block] of blocks.entries()) {
    if (index > 0) {
      fail(context, 'bad-attribute', 'Card has a second attribute block: found `{…}` on two question lines; expected one block for the card', ['attributes', index])
      continue
    }
    for (const token of block.value.trim().split(/\s+/).filter(Boolean)) {
      if (token === '.reverse') {
        attributes.reverse = true
      } else if (token.startsWith('#') && cardId.test(token.slice(1))) {
        if (attributes.id === undefined) attributes.id = token.slice(1)
        else fail(context, 'bad-attribute', `Card has two ids: found \`${token}\` after \`#${attributes.id}\`; expected one \`#id\``, ['attributes', index])
      } else {
        fail(context, 'bad-attribute', `Unknown card attribute: found \`${token}\`; expected \`#id\` (letters, digits, \`-\`, \`_\`, \`.\`, \`:\`) or \`.reverse\``, ['attributes', index])
      }
    }
  }
  return attributes
}
