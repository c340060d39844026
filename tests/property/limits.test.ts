// The nesting measure of src/limits.ts reads raw lines to keep deep input
// away from the parser: it must never think a field shallower than the
// parser builds it. Cards it lets through, rendered, are at most a small
// factor deeper than the limit; and it finds each kind of excess.
import fc from 'fast-check'
import type {Root} from 'hast'
import {raw} from 'hast-util-raw'
import {describe, expect, it} from 'vitest'
import {VFile} from 'vfile'
import {findDeepNesting, mayNestBeyond} from '../../src/limits.js'
import {render} from '../../src/render.js'
import {split} from '../../src/split.js'
import {validate} from '../../src/validate.js'

const seed = 20_261_126

/** Elements nested in a field's HTML, as a browser parses it. */
function depth(html: string): number {
  type Node = {children?: Node[]}
  const tree = raw({type: 'root', children: [{type: 'raw', value: html}]} as Root) as Node
  const walk = (node: Node): number => Math.max(0, ...(node.children ?? []).map((child) => 1 + walk(child)))
  return walk(tree)
}

const opener = fc.constantFrom('- ', '* ', '1. ', '> ', '  ', '    ', '\t', '*', '_', '**', '~~', '[', '![', '<b>', '<div>', '<ul><li>', '<table><td>', '`', 'a', ' ', '$')
const closer = fc.constantFrom('*', '_', '**', '~~', ']', '](u)', '</b>', '</div>', '`', 'a', ' ', '\n', '\n\n', '$')
const field = fc.array(fc.oneof({weight: 3, arbitrary: opener}, {weight: 2, arbitrary: closer}), {maxLength: 120}).map((pieces) => pieces.join(''))

describe('nesting limit', () => {
  it('cards within the limit render no deeper than four times the limit, plus a constant', () => {
    const limit = 6
    fc.assert(
      fc.property(field, (answer) => {
        const file = new VFile()
        const source = split(`Title\nWhat is it?\n${answer}\n`, file, {cards: 100, cardCharacters: 100_000, nesting: limit})
        for (const card of render(validate(source.records, file), file)) {
          expect(depth(card.back), `${answer}\n${card.back}`).toBeLessThanOrEqual(4 * limit + 6)
        }
      }),
      {numRuns: 500, seed}
    )
  })

  it.each([
    ['block', `${'- '.repeat(101)}x`, {line: 1, column: 201}],
    ['block', `${'>'.repeat(101)} x`, {line: 1, column: 101}],
    ['inline', `${'*a '.repeat(101)}x${' b*'.repeat(101)}`, {line: 1, column: 301}],
    ['inline', `${'['.repeat(101)}x${']'.repeat(101)}`, {line: 1, column: 101}],
    ['html', '<div>'.repeat(101), {line: 1, column: 501}],
    ['code', '{'.repeat(101), {line: 1, column: 101}]
  ] as const)('finds %s nesting past the limit: %#', (kind, text, place) => {
    const found = findDeepNesting([{line: 1, column: 1, text, verbatim: kind === 'code'}], 100)
    expect(found).toEqual({kind, ...place})
  })

  it('never finds a field too deep when it has no more opening characters than the limit', () => {
    // Every way a level opens, repeated: list markers, quotes, delimiters and brackets closed again, tags (closed or not).
    const pair = fc.constantFrom(['1. ', ''], ['1) ', ''], ['- ', ''], ['+ ', ''], ['* ', ''], ['> ', ''], ['>', ''], ['<b ', ''], ['<i', ''], ['<div>', '</div>'], ['[', ']'], ['*', '*'], ['_', '_'], ['~~', '~~'], ['(', ')'], ['{', '}'], ['/*', '*/'], ['(', ''], ['{', ''], ['[', ''], ['/*', ''])
    const nested = fc
      .tuple(pair, fc.integer({min: 1, max: 10}), fc.constantFrom('', 'a ', ' ', 'a'), fc.constantFrom('', ' a', ' ', 'a'))
      .map(([[open, close], times, before, after]) => `${`${open}${before}`.repeat(times)}x${`${after}${close}`.repeat(times)}`)
    const lines = fc.array(fc.tuple(fc.oneof(field, nested), fc.boolean()), {minLength: 1, maxLength: 4})
    fc.assert(
      fc.property(lines, fc.integer({min: 1, max: 8}), (parts, limit) => {
        const measured = parts.flatMap(([text, verbatim]) => text.split('\n').map((line) => ({line: 1, column: 1, text: line, verbatim})))
        return mayNestBeyond(measured.map((line) => line.text), limit) || findDeepNesting(measured, limit) === undefined
      }),
      {seed, numRuns: 5000}
    )
    // Both ways: a field found too deep has more opening characters than the limit.
    expect(mayNestBeyond(['- - - x'], 2)).toBe(true)
    expect(mayNestBeyond(['- a. b', 'c'], 2)).toBe(false)
  })

  it.each([
    ['a list 100 deep', Array.from({length: 100}, (_, index) => `${'  '.repeat(index)}- x`)],
    ['unclosed emphasis and brackets', ['*a '.repeat(500), '[x '.repeat(500), '$[0, 1) '.repeat(200)]],
    ['inline code full of markers', [`\`${'*[<div>'.repeat(300)}\``]],
    ['sibling elements', ['<p>x'.repeat(300), '<li>x'.repeat(300), '<br>'.repeat(300)]],
    ['a thematic break of 300 dashes', ['- '.repeat(300)]]
  ])('lets through %s', (_, lines) => {
    expect(findDeepNesting(lines.map((text, index) => ({line: index + 1, column: 1, text, verbatim: false})), 100)).toBeUndefined()
  })
})
