import type {Element, Root} from 'hast'
import {describe, expect, test} from 'vitest'
import {findMath, mathText, protectMath, restoreMath, restoreSource} from '../src/math.js'

/** The TeX of each span, display spans as `$$…$$`. */
const math = (markdown: string): string[] => findMath(markdown).map((span) => (span.display ? `$$${span.value}$$` : span.value))

describe('findMath: Pandoc’s rule', () => {
  test('inline and display spans, with their offsets', () => {
    expect(findMath('a $x^2$ b')).toEqual([{value: 'x^2', display: false, start: 2, end: 7}])
    expect(findMath('$$\n\\sum_i x_i\n$$')).toEqual([{value: '\\sum_i x_i', display: true, start: 0, end: 16}])
    expect(math('$a$ and $b$, $$c$$')).toEqual(['a', 'b', '$$c$$'])
  })

  test('money is not math', () => {
    expect(math('costs $5 and $10')).toEqual([])
    expect(math('$5, $10, $2.50')).toEqual([])
    expect(math('from $5 to $10 $x$')).toEqual(['x'])
  })

  test('an opening `$` needs a non-space after it, a closing one a non-space before it', () => {
    expect(math('$ x$')).toEqual([])
    expect(math('$x $')).toEqual([])
    expect(math('$ 3 $')).toEqual([])
    expect(math('$$ x $$')).toEqual(['$$x$$'])
  })

  test('a closing `$` followed by a digit closes nothing, and the `$` opens nothing', () => {
    expect(math('$x$5')).toEqual([])
    expect(math('$x$5 $y$')).toEqual(['y'])
    expect(math('$x$.')).toEqual(['x'])
  })

  test('an unclosed `$` or `$$` is text', () => {
    expect(math('one $x dollar')).toEqual([])
    expect(math('$$x')).toEqual([])
    expect(math('$$x$')).toEqual([])
    expect(math('$')).toEqual([])
    expect(math('$$$$')).toEqual([])
  })

  test('a `$` escaped with a backslash is never a delimiter; an escaped backslash is', () => {
    expect(math('\\$x$')).toEqual([])
    expect(math('\\$x\\$')).toEqual([])
    expect(math('\\\\$x$')).toEqual(['x'])
    expect(math('$a\\$b$')).toEqual(['a\\$b'])
    expect(math('$\\text{cost $5}$')).toEqual(['\\text{cost $5}'])
  })

  test('inside code a `$` is text', () => {
    expect(math('`$x$`')).toEqual([])
    expect(math('``a `$x$` b`` and $y$')).toEqual(['y'])
    expect(math('`$` then $z$')).toEqual(['z'])
    expect(math('```\n$x$\n```\n$y$')).toEqual(['y'])
    expect(math('~~~tex\n$$x$$\n~~~')).toEqual([])
    expect(math('text\n\n    $x$ indented code')).toEqual([])
    // An unmatched backtick is literal.
    expect(math('a ` b $x$')).toEqual(['x'])
  })

  test('an indented line in a list item is text, not code', () => {
    expect(math('- item\n\n    $x$')).toEqual(['x'])
  })

  test('raw HTML, images, link destinations and autolinks hold no math; link text does', () => {
    expect(math('<span title="$x$">')).toEqual([])
    expect(math('![$x$](a.png)')).toEqual([])
    expect(math('[a](https://x.org/$b$)')).toEqual([])
    expect(math('<https://x.org/$b$>')).toEqual([])
    expect(math('[$x$](https://x.org)')).toEqual(['x'])
    expect(math('<b>$x$</b>')).toEqual(['x'])
  })

  test('Markdown inside math is math: code, links, HTML', () => {
    expect(math('$a `b` c$')).toEqual(['a `b` c'])
    expect(math('$[a](b)$')).toEqual(['[a](b)'])
    expect(math('$a<b>c$')).toEqual(['a<b>c'])
  })

  test('a closing `$` inside code does not close', () => {
    expect(math('$a `b$` c')).toEqual([])
  })

  test('math spans a line break within a paragraph, never a blank line or two list items', () => {
    expect(math('a $x +\ny$ b')).toEqual(['x +\ny'])
    expect(math('$$\na\n\nb\n$$')).toEqual([])
    expect(math('$a\n\nb$')).toEqual([])
    expect(math('- a $x\n- b$')).toEqual([])
    expect(math('- item\n  $$\n  E\n  $$')).toEqual(['$$E$$'])
  })

  test('a text without `$` is not parsed at all', () => {
    expect(findMath('no dollars *here*')).toEqual([])
  })
})

describe('protectMath', () => {
  test('math becomes placeholders Markdown cannot touch', () => {
    const result = protectMath('$a_1*b_1$ and *$c$*')
    expect(result.markdown).toBe('\uFDD00\uFDD1 and *\uFDD01\uFDD1*')
    expect(result.spans.map((span) => span.value)).toEqual(['a_1*b_1', 'c'])
  })

  test('points map back to the original text, across multi-line math', () => {
    const result = protectMath('x $a$ <b>\n$$\n1\n2\n$$ <i>')
    expect(result.markdown).toBe('x \uFDD00\uFDD1 <b>\n\uFDD01\uFDD1 <i>')
    // `<b>` stands at column 7 of line 1 in both.
    expect(result.place({line: 1, column: 7})).toEqual({line: 1, column: 7})
    // `<i>` is at line 2, column 5 in the protected text and line 5, column 4 in the original.
    expect(result.place({line: 2, column: 5})).toEqual({line: 5, column: 4})
    // Inside a placeholder: the span's opening `$`.
    expect(result.place({line: 2, column: 2})).toEqual({line: 2, column: 1})
  })

  test('without math the text and points stay as they are', () => {
    const result = protectMath('costs $5')
    expect(result.markdown).toBe('costs $5')
    expect(result.place({line: 1, column: 3})).toEqual({line: 1, column: 3})
  })

  test('a noncharacter in the notes cannot pose as a placeholder', () => {
    const result = protectMath('\uFDD00\uFDD1 $x$')
    expect(result.markdown).toBe('\uFFFD0\uFFFD \uFDD00\uFDD1')
    expect(restoreSource(result.markdown, result)).toBe('\uFFFD0\uFFFD $x$')
  })

  test('restoreSource puts the math back as written', () => {
    const result = protectMath('What is $a*b*c$?')
    expect(restoreSource(result.markdown, result)).toBe('What is $a*b*c$?')
  })
})

describe('mathText', () => {
  test('MathJax delimiters', () => {
    expect(mathText({value: 'x_1', display: false})).toBe('\\(x_1\\)')
    expect(mathText({value: 'x_1', display: true})).toBe('\\[x_1\\]')
  })

  test('never `}}`, which would close a cloze deletion', () => {
    expect(mathText({value: 'x^{a^{b}}', display: false})).toBe('\\(x^{a^{b} }\\)')
    expect(mathText({value: '{{{a}}}', display: true})).toBe('\\[{{{a} } }\\]')
    expect(mathText({value: '\\}}', display: false})).not.toContain('}}')
  })
})

describe('restoreMath', () => {
  const text = (value: string) => ({type: 'text' as const, value})
  const br: Element = {type: 'element', tagName: 'br', properties: {}, children: []}
  const p = (...children: Element['children']): Element => ({type: 'element', tagName: 'p', properties: {}, children})

  test('inline math becomes text; display math alone on its line splits the paragraph', () => {
    const protectedMath = protectMath('a $x$\n$$y$$\nb')
    const tree: Root = {type: 'root', children: [p(text('a \uFDD00\uFDD1'), br, text('\n\uFDD01\uFDD1'), br, text('\nb'))]}
    restoreMath(tree, protectedMath)
    expect(tree.children).toEqual([
      p(text('a '), text('\\(x\\)')),
      text('\n'),
      {type: 'element', tagName: 'div', properties: {className: ['math']}, children: [text('\\[y\\]')]},
      text('\n'),
      p(text('b'))
    ])
  })

  test('display math with text on its line stays inline', () => {
    const protectedMath = protectMath('a $$y$$ b')
    const tree: Root = {type: 'root', children: [p(text('a \uFDD00\uFDD1 b'))]}
    restoreMath(tree, protectedMath)
    expect(tree.children).toEqual([p(text('a '), text('\\[y\\]'), text(' b'))])
  })

  test('a placeholder in an attribute gets its source back', () => {
    const protectedMath = protectMath('$x$')
    const tree: Root = {type: 'root', children: [{type: 'element', tagName: 'abbr', properties: {title: '\uFDD00\uFDD1'}, children: []}]}
    restoreMath(tree, protectedMath)
    expect(tree.children[0]).toMatchObject({properties: {title: '$x$'}})
  })
})
