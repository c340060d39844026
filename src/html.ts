import type {Element, Nodes as HastNodes, Properties} from 'hast'
import {raw} from 'hast-util-raw'
import {defaultSchema, sanitize} from 'hast-util-sanitize'
import type {Schema} from 'hast-util-sanitize'
import {toHtml} from 'hast-util-to-html'
import type {Nodes as MdastNodes} from 'mdast'
import {toHast} from 'mdast-util-to-hast'
import {find, html as htmlSchema} from 'property-information'
import {visit} from 'unist-util-visit'
import {VFile} from 'vfile'
import {escapeText, fencedCode, highlightCode, highlightedHtml, highlightElement} from './highlight.js'
import {restoreMath} from './math.js'
import type {ProtectedMath} from './math.js'
import type {Point} from './types.js'

/** How to report what sanitizing removed. */
export interface FieldOptions {
  /** Receives `unsafe-html` warnings. */
  file: VFile
  /** The Markdown the tree was parsed from; raw HTML is re-parsed against it. */
  source: string
  /** Map a point in `source` to the lecture file. */
  place: (point: Point) => Point
  /** Whether a lone paragraph is unwrapped into its content (a question line). */
  inline?: boolean
  /** The math taken out of the Markdown before parsing; put back as `\(…\)` / `\[…\]` after sanitizing. */
  math?: ProtectedMath
}

/** A property sanitizing can keep (our schema allows it everywhere) to recognise each element afterwards. */
const marker = 'dataDeckcId'

const schema: Schema = {
  ...defaultSchema,
  // A removed `<style>` must take its rules with it, not leave them as text on the card.
  strip: ['script', 'style'],
  attributes: {...defaultSchema.attributes, '*': [...(defaultSchema.attributes?.['*'] ?? []), marker]}
}

/**
 * Render Markdown nodes to field HTML. Raw HTML in the notes is parsed and then
 * sanitized with hast-util-sanitize's default (GitHub) schema; every element or
 * attribute that sanitizing removes or rewrites gets an `unsafe-html` warning at
 * its place. Text is escaped.
 */
export function toField(tree: MdastNodes, options: FieldOptions): string {
  let hast: HastNodes = toHast(tree, {allowDangerousHtml: true})
  let hasRaw = false
  visit(hast, 'raw', () => {
    hasRaw = true
    return false
  })
  if (hasRaw) hast = raw(hast, {file: new VFile(options.source)})
  if (options.inline) hast = unwrapParagraph(hast)

  const elements: Element[] = []
  visit(hast, 'element', (element) => {
    element.properties[marker] = elements.length
    elements.push(element)
  })
  const clean = sanitize(hast, schema)
  const kept = new Map<number, Element>()
  visit(clean, 'element', (element) => {
    kept.set(Number(element.properties[marker]), element)
    delete element.properties[marker]
  })
  if (kept.size < elements.length || elements.some((element, index) => changedAttributes(element, kept.get(index)).length > 0)) {
    report(hast, kept, options)
  }
  // After sanitizing, which would strip the token classes; both add only text and class names.
  highlightCode(clean, fencedCode(tree))
  if (options.math) restoreMath(clean, options.math)
  return toHtml(clean, serializing)
}

/** How fields are serialized: `&amp;`, `&lt;` rather than numeric references. */
const serializing = {characterReferences: {useNamedReferences: true}}

/**
 * A fenced code block alone as {@link toField} renders remark's node for it:
 * the `<pre><code class="language-x">` mdast-util-to-hast makes (the code
 * and a line feed), highlighted and serialized the same way. Nothing in it
 * can be unsafe — sanitizing keeps a `language-…` class on `<code>` and the
 * text — so it skips the steps that change nothing here, and for no
 * language or one a fence line can name it writes the HTML without a tree
 * (tests/highlight.test.ts compares the two on generated code in many
 * languages).
 */
export function codeField(lang: string | null, value: string): string {
  const text = value ? `${value}\n` : ''
  if (lang === null) return `<pre><code>${escapeText(text)}</code></pre>`
  // A language as a fence line gives it (word characters and `+#.-`) needs no escape in the class attribute.
  if (/^[\w+#.-]+$/.test(lang)) {
    const highlighted = highlightedHtml(lang, text)
    return highlighted === undefined ? `<pre><code class="language-${lang}">${escapeText(text)}</code></pre>` : `<pre><code class="language-${lang} hljs">${highlighted}</code></pre>`
  }
  const code: Element = {type: 'element', tagName: 'code', properties: lang ? {className: [`language-${lang}`]} : {}, children: [{type: 'text', value: text}]}
  if (lang) highlightElement(code)
  return toHtml({type: 'element', tagName: 'pre', properties: {}, children: [code]}, serializing)
}

/** A root holding one paragraph (and white space) becomes a root holding the paragraph's content. */
function unwrapParagraph(tree: HastNodes): HastNodes {
  if (tree.type !== 'root') return tree
  const nodes = tree.children.filter((node) => !(node.type === 'text' && node.value.trim() === ''))
  const only = nodes.length === 1 ? nodes[0] : undefined
  return only?.type === 'element' && only.tagName === 'p' ? {...tree, children: only.children} : tree
}

/** Warn about each removed element (not its descendants) and each removed or rewritten attribute. */
function report(tree: HastNodes, kept: Map<number, Element>, options: FieldOptions): void {
  visit(tree, 'element', (element) => {
    const id = Number(element.properties[marker])
    const after = kept.get(id)
    const start = element.position?.start
    const place = start ? options.place(start) : undefined
    if (!after) {
      warn(options.file, `Raw HTML \`<${element.tagName}>\` is not allowed in a card and was removed; expected Markdown or safe HTML`, place)
      return 'skip'
    }
    const changed = changedAttributes(element, after)
    if (changed.length > 0) {
      const names = changed.map((name) => `\`${name}\``).join(', ')
      warn(options.file, `Attribute ${names} on \`<${element.tagName}>\` is not allowed in a card and was removed; expected plain links and images`, place)
    }
    return undefined
  })
}

function changedAttributes(before: Element, after: Element | undefined): string[] {
  if (!after) return []
  const names = new Set([...Object.keys(before.properties), ...Object.keys(after.properties)])
  names.delete(marker)
  return [...names]
    .filter((name) => !same(before.properties[name], after.properties[name]))
    .map((name) => find(htmlSchema, name).attribute)
}

function same(a: Properties[string], b: Properties[string]): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function warn(file: VFile, reason: string, place: Point | undefined): void {
  file.message(reason, {place: place ?? {line: 1, column: 1}, ruleId: 'unsafe-html', source: 'deckc'})
}
