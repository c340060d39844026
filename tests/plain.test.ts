// The fast path for plain lines must give exactly the bytes remark gives.
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {compile} from '../src/compile.js'
import {plainAnswer} from '../src/plain.js'

const clock = 1_790_000_000_000

/** What the fast path could change: deck name, fields, and the identities derived from the questions' text. */
function fields(text: string, fast: boolean): {deck: string | undefined; fields: string[][]; guids: string[]; entries: unknown} {
  const [deck] = compile([{path: 'l.md', value: text}], {clock, fast})
  const notes = deck?.collection?.notes ?? []
  return {deck: deck?.deck, fields: notes.map((note) => note.fields), guids: notes.map((note) => note.guid), entries: deck?.entries}
}

const word = fc.stringMatching(/^[A-Za-zäöüéß0-9][a-zA-Z0-9'’.,;:/()%+=-]{0,8}$/)
/** Pieces that may break the plain rule: Markdown, HTML, entities, math, links, odd spacing. */
const spice = fc.constantFrom('*', '_', '`', '<b>', '&amp;', '$x$', '[a](b)', 'www.x.org', 'http://x', '  ', ' ', '\t', '1. ', '~~', '#', '|', '\\', '!', '@', '"', '“', '—', 'ǅ', '---', '===', '> ')
const text = fc.array(fc.oneof({weight: 6, arbitrary: word}, {weight: 1, arbitrary: spice}), {minLength: 1, maxLength: 6}).map((parts) => parts.join(' '))
const line = fc.oneof(
  {weight: 4, arbitrary: text},
  {weight: 3, arbitrary: text.map((value) => `- ${value}`)},
  {weight: 2, arbitrary: fc.tuple(fc.constantFrom('short', 'note', 'problem', 'Note well', 'a b c'), text).map(([name, value]) => `${name}: ${value}`)},
  {weight: 1, arbitrary: fc.constant('')},
  {weight: 1, arbitrary: fc.constantFrom('  - indented', '    code', '1. one', '* star', '+ plus', '-', '- ', 'x  ', ' lead')}
)
const card = fc.tuple(text, fc.array(line, {minLength: 1, maxLength: 8}))

describe('the plain-line fast path', () => {
  it('renders the same deck name, fields and identities as remark for any lecture', () => {
    fc.assert(
      fc.property(text, fc.array(card, {minLength: 1, maxLength: 5}), (title, cards) => {
        const lecture = [title.replace(/\?/g, ''), ...cards.flatMap(([question, answer], index) => [`Q${index} ${question.replace(/\?/g, '')}?`, 'first line', ...answer])].join('\n')
        expect(fields(lecture, true)).toEqual(fields(lecture, false))
      }),
      {numRuns: 300}
    )
  })

  it('takes the common lines and leaves the rest to remark', () => {
    expect(plainAnswer(['short: data', '- a', '- b', 'after'])).toBe('<p><strong>short:</strong> data</p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<p>after</p>')
    expect(plainAnswer(['- a', '', '- b'])).toBeUndefined()
    expect(plainAnswer(['a *b*'])).toBeUndefined()
    expect(plainAnswer(['see www.example.com'])).toBeUndefined()
  })
})
