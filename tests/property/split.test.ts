// The line scanner reads question tails and headings without regular
// expressions (whose backtracking was quadratic in runs of spaces): it must
// read them exactly as the original expressions did, and in linear time.
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {VFile} from 'vfile'
import {split} from '../../src/split.js'

/** The expressions split.ts used before, as the reference. */
const heading = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/
const questionTail = /^(.*?)(?:[ \t]*(\([^()]*\)))?(?:[ \t]*\{([^{}]*)\})?[ \t]*$/d

const seed = 20_261_126
const piece = fc.constantFrom('a', 'b?', '?', ' ', '\t', '  ', '(', ')', '(x)', '{', '}', '{#id}', '#', '##', ' #', '\\', 'é', '😀', '{a b}', '(slide 3)')
const line = fc.array(piece, {maxLength: 12}).map((pieces) => pieces.join(''))

function scan(text: string) {
  return split(text, new VFile())
}

/** Question, reference and attribute text of a question line's content, by the original expression. */
function oracleTail(text: string): {question: string; reference: string | undefined; attributes: string | undefined} {
  const match = questionTail.exec(text)
  if (!match) return {question: text, reference: undefined, attributes: undefined}
  let question = match[1] ?? text
  let reference = match[2]
  if (reference !== undefined && !question.endsWith('?')) {
    question = text.slice(0, (match.indices?.[2]?.[0] ?? 0) + reference.length)
    reference = undefined
  }
  return {question, reference, attributes: match[3]}
}

describe('question tails', () => {
  it('split reads question, reference and attributes as the original expression did', () => {
    fc.assert(
      fc.property(line, (content) => {
        // Starting with a letter, the line is a question exactly when its question text ends with `?`.
        const text = `Q ${content}`.trim()
        const expected = oracleTail(text)
        const record = scan(`Title\n${text}\nAnswer.\n`).records[0]
        if (!expected.question.endsWith('?') || expected.question.endsWith('\\?')) {
          expect(record).toBeUndefined()
          return
        }
        expect(record?.question[0]?.text.value).toBe(expected.question)
        expect(record?.question[0]?.reference?.value).toBe(expected.reference)
        expect(record?.attributes[0]?.value).toBe(expected.attributes)
      }),
      {numRuns: 2000, seed}
    )
  })
})

describe('headings', () => {
  it('split reads heading levels and text as the original expression did', () => {
    fc.assert(
      fc.property(fc.constantFrom('', ' ', '  ', '   ', '    '), fc.integer({min: 1, max: 7}), line, (indent, level, rest) => {
        const text = `${indent}${'#'.repeat(level)}${rest}`
        // After a level-1 title, a heading of level 2 or deeper is the file's one question (heading style).
        const source = scan(`# Title\n${text}\nAnswer.\n`)
        const match = heading.exec(text)
        const question = source.records.find((record) => record.style === 'heading')?.question[0]?.text.value
        if (match?.[1] && match[1].length > 1) expect(question).toBe(oracleTail((match[2] ?? '').trim()).question)
        else expect(question).toBeUndefined()
      }),
      {numRuns: 2000, seed}
    )
  })
})

describe('linear time', () => {
  it('reads lines with 200,000 spaces and tabs in milliseconds', () => {
    const spaces = ' '.repeat(200_000)
    const started = performance.now()
    scan(`a${spaces}b\n# a${spaces}b\n## x${spaces}#${spaces}y\nc${' \t'.repeat(100_000)}d?\nq (${spaces}) {${spaces}}?\nAnswer.\n`)
    expect(performance.now() - started).toBeLessThan(500)
  })
})
