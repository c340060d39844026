import fc from 'fast-check'
import type {Element, Root} from 'hast'
import {toHtml} from 'hast-util-to-html'
import type {Root as MdastRoot} from 'mdast'
import {toHast} from 'mdast-util-to-hast'
import {VFile} from 'vfile'
import {describe, expect, test} from 'vitest'
import {fencedCode, highlightCode} from '../src/highlight.js'
import {toField} from '../src/html.js'
import {parseMarkdown} from '../src/markdown.js'
import {renderCode} from '../src/rich.js'

/** Markdown → HAST → highlighted HTML, as `toField` does it (without sanitizing). */
function highlight(markdown: string): string {
  const mdast = parseMarkdown(markdown)
  const hast = toHast(mdast) as Root
  highlightCode(hast, fencedCode(mdast))
  return toHtml(hast)
}

describe('fencedCode', () => {
  test('the offsets of fenced code with a language', () => {
    expect([...fencedCode(parseMarkdown('a\n\n```js\nx\n```\n\n```\ny\n```\n\n    z\n'))]).toEqual([3])
  })
})

describe('highlightCode', () => {
  test('a known language gets hljs token spans and the hljs class', () => {
    expect(highlight('```python\nreturn 1\n```')).toBe(
      '<pre><code class="language-python hljs"><span class="hljs-keyword">return</span> <span class="hljs-number">1</span>\n</code></pre>'
    )
  })

  test('aliases: py, js, ts, sh', () => {
    for (const language of ['py', 'js', 'ts', 'sh']) {
      expect(highlight(`\`\`\`${language}\nx\n\`\`\``)).toContain(`class="language-${language} hljs"`)
    }
    expect(highlight('```js\nconst a = "s"\n```')).toContain('<span class="hljs-string">"s"</span>')
  })

  test('an unknown language or none stays plain code, without an error', () => {
    expect(highlight('```nosuchlanguage\nif x\n```')).toBe('<pre><code class="language-nosuchlanguage">if x\n</code></pre>')
    expect(highlight('```\nif x\n```')).toBe('<pre><code>if x\n</code></pre>')
    expect(highlight('    if x')).toBe('<pre><code>if x\n</code></pre>')
  })

  test('only a `<pre>` at a fence’s offset is highlighted', () => {
    const mdast = parseMarkdown('```js\nconst a = 1\n```')
    const hast = toHast(mdast) as Root
    highlightCode(hast, new Set([99]))
    expect(toHtml(hast)).toBe('<pre><code class="language-js">const a = 1\n</code></pre>')
  })

  test('code text is escaped, never parsed as HTML', () => {
    const html = highlight('```html\n<script>alert(1)</script>\n```')
    expect(html).not.toContain('<script>')
    expect(html).toContain('&#x3C;')
  })

  test('the highlighted tree holds only text and spans with token classes', () => {
    const mdast = parseMarkdown('```html\n<div onclick="x()"><script>let a = `${b}`</script></div>\n```')
    const hast = toHast(mdast) as Root
    highlightCode(hast, fencedCode(mdast))
    const check = (node: Element): void => {
      for (const child of node.children) {
        if (child.type === 'element') {
          expect(child.tagName).toBe('span')
          expect(Object.keys(child.properties)).toEqual(['className'])
          for (const name of child.properties['className'] as string[]) expect(name).toMatch(/^(?:hljs-[\w-]+|language-[\w-]+|[a-z]+_+)$/)
          check(child)
        } else {
          expect(child.type).toBe('text')
        }
      }
    }
    const code = ((hast.children[0] as Element).children[0] as Element)
    expect(code.children.some((child) => child.type === 'element')).toBe(true)
    check(code)
  })
})

describe('renderCode', () => {
  /** What `toField` makes of remark's node for the block: the reference `renderCode` must give byte for byte. */
  function byToField(lang: string | null, value: string): string {
    const start = {line: 1, column: 1, offset: 0}
    const tree: MdastRoot = {type: 'root', children: [{type: 'code', lang, meta: null, value, position: {start, end: start}}]}
    return toField(tree, {file: new VFile(), source: '', place: (point) => point})
  }
  const language = fc.constantFrom(null, 'python', 'py', 'js', 'javascript', 'ts', 'typescript', 'sh', 'bash', 'c', 'cpp', 'c++', 'java', 'sql', 'json', 'html', 'xml', 'css', 'rust', 'go', 'diff', 'markdown', 'nosuchlanguage', 'a"b', 'x<y>', '&amp;', 'ünï')
  const piece = fc.oneof(
    {weight: 3, arbitrary: fc.constantFrom('def ', 'return ', 'x = 1', 'if (a < b && c > d) {', '}', '"s"', "'c'", '`t ${u}`', '# comment', '// note', '/* c */', '<div class="a">', '</div>', '<script>alert(1)</script>', '&amp;', '&lt;', 'SELECT * FROM t;', '- removed', '+ added', '0x1F', '3.14e-2')},
    {weight: 2, arbitrary: fc.constantFrom('\n', '\t', ' ', '  ', '\r', '\u00A0', 'é', '日本', '😀', '\uD800', '\u0000', '\u2028', '\\', '"', '<', '>', '&')}
  )
  const code = fc.array(piece, {maxLength: 12}).map((pieces) => pieces.join(''))

  test('gives what toField gives for the node remark makes, in every language and none', () => {
    fc.assert(fc.property(language, code, (lang, value) => {
      expect(renderCode(lang, value)).toBe(byToField(lang, value))
    }), {numRuns: 1500})
  })

  test('highlights a known language and escapes the code', () => {
    expect(renderCode('python', 'if a < b:\n    return "x&y"')).toBe(
      '<pre><code class="language-python hljs"><span class="hljs-keyword">if</span> a &lt; b:\n    <span class="hljs-keyword">return</span> <span class="hljs-string">"x&amp;y"</span>\n</code></pre>'
    )
    expect(renderCode(null, '')).toBe('<pre><code></code></pre>')
  })
})
