// The fast path for plain lines must give exactly the bytes remark gives.
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {compile} from '../src/compile.js'
import {fastLine, isPlain, plain, plainAnswer} from '../src/plain.js'

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
/** Code spans and math, well-formed or not, with what could change them inside. */
const code = fc.tuple(fc.constantFrom('`', '``', ''), fc.stringMatching(/^[a-z0-9_ .()*<>&@$\\#`-]{0,6}$/), fc.constantFrom('`', '``', ''), fc.constantFrom('', ',', ')', '$'))
  .map(([open, inside, close, after]) => `${open}${inside}${close}${after}`)
const math = fc.tuple(fc.constantFrom('$', '$$', '\\$', '($'), fc.stringMatching(/^[a-z0-9_ ^{}\\<>&*$`]{0,6}$/), fc.constantFrom('$', '$$', ''), fc.constantFrom('', '5', ',', ':', '$'))
  .map(([open, inside, close, after]) => `${open}${inside}${close}${after}`)
const piece = fc.oneof({weight: 6, arbitrary: word}, {weight: 1, arbitrary: spice}, {weight: 1, arbitrary: code}, {weight: 1, arbitrary: math})
/** Pieces mostly between spaces, sometimes run together (`f(`x`)`, `$a$5`). */
const text = fc
  .array(fc.tuple(piece, fc.constantFrom(' ', ' ', ' ', '')), {minLength: 1, maxLength: 6})
  .map((parts) => parts.map(([value, separator], index) => (index === 0 ? value : separator + value)).join(''))
/** Fence lines, the fast path's and others, and what code holds. */
const fence = fc.constantFrom('```python', '```', '```', '```js', '```c++', '``` ', '````', ' ```', '```py extra', '~~~', 'def f(x):', '    return [x * 2 for x in xs]  # *x* `y` $z$', '<b>', '- ```', '')
const line = fc.oneof(
  {weight: 4, arbitrary: text},
  {weight: 3, arbitrary: text.map((value) => `- ${value}`)},
  {weight: 2, arbitrary: fc.tuple(fc.constantFrom('short', 'note', 'problem', 'Note well', 'a b c'), text).map(([name, value]) => `${name}: ${value}`)},
  {weight: 1, arbitrary: fc.constant('')},
  {weight: 1, arbitrary: fc.constantFrom('  - indented', '    code', '1. one', '* star', '+ plus', '-', '- ', 'x  ', ' lead')},
  {weight: 2, arbitrary: fence}
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

  it('renders lines dense in code, math and fences the same as remark', () => {
    const special = fc.constantFrom('\\', '^', '{', '}', '_', '5', ',', '(', ')', '<', '&', '*', '@')
    const char = fc.oneof({weight: 6, arbitrary: fc.constantFrom('a', 'b', ' ')}, {weight: 3, arbitrary: fc.constantFrom('`', '$')}, {weight: 1, arbitrary: special})
    const dense = fc.array(char, {minLength: 1, maxLength: 12}).map((chars) => chars.join(''))
    const line = fc.oneof({weight: 4, arbitrary: fc.tuple(fc.constantFrom('', '- ', 'note: '), dense).map(([start, text]) => start + text)}, {weight: 1, arbitrary: fence})
    fc.assert(
      fc.property(dense, fc.array(line, {minLength: 1, maxLength: 5}), (question, answer) => {
        const lecture = ['Dense', `Q ${question.replace(/\?/g, '')}?`, ...answer].join('\n')
        expect(fields(lecture, true)).toEqual(fields(lecture, false))
      }),
      {numRuns: 1000}
    )
  })

  it('writes fenced code between fast lines, and leaves odd fences to remark', () => {
    const code = (lang: string | null, value: string) => `[${lang}|${value}]`
    expect(plainAnswer(['short: a', '```python', 'x = `1`', '', '```', '- b'], code)).toBe('<p><strong>short:</strong> a</p>\n[python|x = `1`\n]\n<ul>\n<li>b</li>\n</ul>')
    expect(plainAnswer(['- a', '```', 'x', '```'], code)).toBe('<ul>\n<li>a</li>\n</ul>\n[null|x]')
    expect(plainAnswer(['```python', 'x', '```'])).toBeUndefined()
    // Closed by a fence remark also takes (indented, longer, spaced) but the fast path does not write.
    for (const close of [' ```', '````', '``` ']) expect(plainAnswer(['```python', 'x', close, 'y', '```'], code)).toBeUndefined()
    expect(plainAnswer(['```python', 'x'], code)).toBeUndefined()
    expect(plainAnswer(['```python extra', 'x', '```'], code)).toBeUndefined()
    const lecture = ['Fences', 'Q?', 'first', '```python', 'def f(x):', ' ```', '- a', '```', 'Q2?', '```js', 'let a = 1', '```', 'after']
    expect(fields(lecture.join('\n'), true)).toEqual(fields(lecture.join('\n'), false))
  })

  it('takes the common lines and leaves the rest to remark', () => {
    expect(plainAnswer(['short: data', '- a', '- b', 'after'])).toBe('<p><strong>short:</strong> data</p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<p>after</p>')
    expect(plainAnswer(['- a', '', '- b'])).toBeUndefined()
    expect(plainAnswer(['a *b*'])).toBeUndefined()
    expect(plainAnswer(['see www.example.com'])).toBeUndefined()
  })

  it('writes inline code and math, and knows their text', () => {
    expect(fastLine('call `f(x)` twice')).toEqual({html: 'call <code>f(x)</code> twice', text: 'call f(x) twice'})
    expect(fastLine('costs $O(n^2)$ for $k$')).toEqual({html: 'costs \\(O(n^2)\\) for \\(k\\)', text: 'costs $O(n^2)$ for $k$'})
    // A `$` left open could close on the next line: `$5 a` and `b$` are math in one paragraph.
    expect(fastLine('costs $5')).toBeUndefined()
    expect(plainAnswer(['note: `a_b` is $x_1$'])).toBeUndefined()
    expect(plainAnswer(['note: `a_b` and `c`', '- $x^{y}$'])).toBe('<p><strong>note:</strong> <code>a_b</code> and <code>c</code></p>\n<ul>\n<li>\\(x^{y}\\)</li>\n</ul>')
    expect(fastLine('`a` `` b ``')).toBeUndefined()
    // One backtick opens a span that only one backtick closes: this is the code `a``b`.
    expect(fastLine('`a``b`')).toBeUndefined()
    expect(plainAnswer(['$a', 'b$'])).toBeUndefined()
    expect(fastLine('$$x$$ display')).toBeUndefined()
  })
})

describe('isPlain', () => {
  it('answers as the plain-text pattern, ASCII and not', () => {
    const ascii = Array.from({length: 95}, (_, index) => String.fromCharCode(32 + index))
    const piece = fc.constantFrom(...ascii, 'word', 'é', 'ß', '日', '“', '”', '‘', '’', '–', '—', '…', '\u00A0', '\t', 'ǅ', '٣', 'x')
    fc.assert(fc.property(fc.array(piece, {maxLength: 12}), (pieces) => isPlain(pieces.join('')) === plain.test(pieces.join(''))), {numRuns: 5000})
    expect(['Why is it so?', '“Quoted” – yes', 'naïve (1/2)', '- item', 'a*b'].map(isPlain)).toEqual([true, true, true, false, false])
  })
})
