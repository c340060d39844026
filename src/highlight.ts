/**
 * Syntax highlighting of fenced code at build time, with lowlight (the
 * highlight.js grammars as HAST): `<pre><code class="language-x hljs">` with
 * `<span class="hljs-…">` tokens, coloured by the note type's CSS. Nothing runs
 * on the card and nothing is fetched.
 */
import type {Element, ElementContent, Nodes as HastNodes, RootContent} from 'hast'
import {common, createLowlight} from 'lowlight'
import type {Nodes as MdastNodes} from 'mdast'
import {visit} from 'unist-util-visit'

type Lowlight = ReturnType<typeof createLowlight>

/** Created on first use: registering the grammars is only worth it when a card has fenced code. */
let lowlight: Lowlight | undefined

/**
 * Where the fenced code blocks with a language start: the offsets of mdast
 * `code` nodes with an info string. Raw HTML `<pre>` is never among them.
 *
 * @param tree
 *   The mdast tree a field is rendered from.
 * @returns
 *   Start offsets in the Markdown the tree was parsed from (empty when none).
 */
export function fencedCode(tree: MdastNodes): Set<number> {
  const starts = new Set<number>()
  visit(tree, 'code', (node) => {
    const offset = node.position?.start.offset
    if (node.lang && offset !== undefined) starts.add(offset)
  })
  return starts
}

/**
 * Highlight the fenced code blocks of a sanitized HAST tree for their
 * language (`language-x` class; aliases such as `py`, `js`, `ts`, `sh` work).
 * A block in an unknown language stays plain. Only text and `<span>`s with
 * `hljs-…` classes are put in, so highlighting adds nothing unsafe.
 *
 * @param tree
 *   Sanitized HAST; changed in place.
 * @param starts
 *   {@link fencedCode} of the mdast tree it came from: a `<pre>` is highlighted
 *   only when it starts at one of these offsets.
 */
export function highlightCode(tree: HastNodes, starts: ReadonlySet<number>): void {
  if (starts.size === 0) return
  visit(tree, 'element', (pre) => {
    if (pre.tagName !== 'pre') return undefined
    const offset = pre.position?.start.offset
    const code = pre.children.find((child) => child.type === 'element' && child.tagName === 'code')
    if (offset === undefined || !starts.has(offset) || code?.type !== 'element') return 'skip'
    highlightElement(code)
    return 'skip'
  })
}

/** The language of a `<code>`, from its `language-x` class. */
function languageOf(code: Element): string | undefined {
  const classes = code.properties['className']
  if (!Array.isArray(classes)) return undefined
  for (const name of classes) {
    if (typeof name === 'string' && name.startsWith('language-')) return name.slice('language-'.length)
  }
  return undefined
}

/** Highlight one `<code>` for the language of its `language-x` class (see {@link highlightCode}); changed in place. */
export function highlightElement(code: Element): void {
  const language = languageOf(code)
  if (!language || !code.children.every((child) => child.type === 'text')) return
  lowlight ??= createLowlight(common)
  if (!lowlight.registered(language)) return
  const value = code.children.map((child) => (child.type === 'text' ? child.value : '')).join('')
  const result = lowlight.highlight(language, value)
  code.children = tokens(result.children)
  const classes = code.properties['className']
  code.properties['className'] = [...(Array.isArray(classes) ? classes : []), 'hljs']
}

/**
 * Copy lowlight's output keeping only text and `<span>`s with token classes:
 * `hljs-title` with its sub-scope `class_`, or a nested language's `language-…`.
 */
function tokens(nodes: readonly RootContent[]): ElementContent[] {
  const out: ElementContent[] = []
  for (const node of nodes) {
    if (node.type === 'text') {
      out.push({type: 'text', value: node.value})
    } else if (node.type === 'element' && node.tagName === 'span') {
      const safe = tokenClasses(node)
      const children = tokens(node.children)
      // A span without a class (a nested language highlight.js did not name) only wraps its tokens.
      if (safe.length > 0) out.push({type: 'element', tagName: 'span', properties: {className: safe}, children})
      else out.push(...children)
    }
  }
  return out
}

/** The token classes of a span of lowlight's output (see {@link tokens}). */
function tokenClasses(span: Element): string[] {
  const classes = span.properties['className']
  return (Array.isArray(classes) ? classes : []).filter((name): name is string => typeof name === 'string' && /^(?:hljs-[\w-]+|language-[\w.+#-]+|[a-z]+_+)$/.test(name))
}

/**
 * The HTML inside the `<code>` that {@link highlightElement} makes of `value`
 * in `language`, as hast-util-to-html writes it (text with `&` and `<`
 * escaped, {@link tokens} as spans), or `undefined` for a language lowlight
 * does not know: without building the tree to serialize it.
 */
export function highlightedHtml(language: string, value: string): string | undefined {
  lowlight ??= createLowlight(common)
  if (!lowlight.registered(language)) return undefined
  return tokensHtml(lowlight.highlight(language, value).children)
}

function tokensHtml(nodes: readonly RootContent[]): string {
  let html = ''
  for (const node of nodes) {
    if (node.type === 'text') {
      html += escapeText(node.value)
    } else if (node.type === 'element' && node.tagName === 'span') {
      const safe = tokenClasses(node)
      const inner = tokensHtml(node.children)
      // Token class names hold no character an attribute value escapes.
      html += safe.length > 0 ? `<span class="${safe.join(' ')}">${inner}</span>` : inner
    }
  }
  return html
}

/** Text as hast-util-to-html escapes it in an element: `&` and `<` as named references. */
export function escapeText(text: string): string {
  return text.replace(/[&<]/g, (character) => (character === '&' ? '&amp;' : '&lt;'))
}
