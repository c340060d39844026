// The zod check of card records (split's output, before rendering): records
// that are not as split makes them are errors at their place, never cards.
import {VFile} from 'vfile'
import {describe, expect, it} from 'vitest'
import type {CardRecord, Position} from '../src/types.js'
import {validate} from '../src/validate.js'

const at = (line: number, column = 1): Position => ({start: {line, column}, end: {line, column: column + 10}})

/** A record as split makes it for `What is a cache?` with one answer line, from `line`. */
function record(line: number): CardRecord {
  return {
    style: 'line',
    question: [{text: {value: 'What is a cache?', position: at(line)}, reference: undefined}],
    attributes: [],
    answer: [{line: line + 1, text: 'A small fast memory.'}],
    position: {start: {line, column: 1}, end: {line: line + 1, column: 21}}
  }
}

describe('validate', () => {
  it('turns valid records into cards with their places', () => {
    const file = new VFile()
    expect(validate([record(2), record(4)], file)).toEqual([
      {cloze: undefined, question: [{text: {value: 'What is a cache?', position: at(2)}, reference: undefined}], attributes: {id: undefined, reverse: false}, answer: [{line: 3, text: 'A small fast memory.'}], position: record(2).position},
      {cloze: undefined, question: [{text: {value: 'What is a cache?', position: at(4)}, reference: undefined}], attributes: {id: undefined, reverse: false}, answer: [{line: 5, text: 'A small fast memory.'}], position: record(4).position}
    ])
    expect(file.messages).toEqual([])
  })

  it('reports every record whose places or lines are not positive whole numbers, and keeps the others', () => {
    const broken: Array<[string, (value: CardRecord) => void]> = [
      ['a question at line 0', (value) => void ((value.question[0] as CardRecord['question'][number]).text.position = at(0))],
      ['a column of 1.5', (value) => void ((value.question[0] as CardRecord['question'][number]).text.position = at(6, 1.5))],
      ['a reference without an end', (value) => void ((value.question[0] as CardRecord['question'][number]).reference = {value: '(slide 3)', position: {start: {line: 8, column: 1}} as Position})],
      ['a record ending at column -1', (value) => void (value.position.end.column = -1)],
      ['an attribute block at a string line', (value) => void value.attributes.push({value: '{#id}', position: {start: {line: '12', column: 1}, end: {line: 12, column: 6}} as unknown as Position})],
      ['an answer line 0', (value) => void ((value.answer[0] as CardRecord['answer'][number]).line = 0)]
    ]
    const records = broken.map(([, change], index) => {
      const value = record(2 * index + 2)
      change(value)
      return value
    })
    const file = new VFile({path: 'l.md'})
    const cards = validate([...records, record(40)], file)
    expect(cards.map((card) => card.position.start.line)).toEqual([40])
    expect(file.messages.map((message) => [message.ruleId, message.fatal, message.line])).toEqual(broken.map((_, index) => ['invalid-card', true, 2 * index + 2]))
    expect(file.messages.every((message) => message.reason.startsWith('Invalid card record: '))).toBe(true)
  })
})
