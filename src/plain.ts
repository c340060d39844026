/**
 * The fast path: most lecture lines are plain words, `- ` bullets and
 * `label:` lines. For those, the HTML that remark would produce is written
 * directly, several times faster. Anything else — a character that could mean
 * Markdown, HTML, math or a link; indentation; a loose list — returns
 * `undefined`, and remark renders it. A property test checks that both give
 * the same bytes (tests/plain.test.ts).
 */

/**
 * Text that no Markdown construct can start or change: letters, digits,
 * spaces between words and harmless punctuation. Excluded, among others:
 * `\ * _ [ ] ! < > & ` ~ $ | # @` (emphasis, links, HTML, entities, code,
 * strikethrough, math, tables, headings, e-mail autolinks), tabs, and leading
 * or trailing spaces (indented code, hard breaks).
 */
const plain = /^[\p{L}\p{N}(“"'‘][\p{L}\p{N} ,.;:'"?()/%+=’‘“”–—-]*$/u
/** GFM turns these into links even without `<…>`. */
const autolink = /www\.|:\/\//i
const orderedMarker = /^\d{1,9}[.)]( |$)/
/** A word or two and a colon opening a line (as `markLabels` in render.ts). */
const label = /^([\p{L}\p{N}][\p{L}\p{N}'’_-]*(?: [\p{L}\p{N}'’_-]+)?):(?= )/u

function isPlain(text: string): boolean {
  return plain.test(text) && !autolink.test(text) && !orderedMarker.test(text) && !text.endsWith(' ')
}

/** HTML of a one-line question part, or `undefined` when it needs remark. */
export function plainInline(text: string): string | undefined {
  // Plain text holds no `&`, `<` or `>`: it is its own HTML.
  return isPlain(text) ? text : undefined
}

/**
 * HTML of answer lines (without leading or trailing blank lines), or
 * `undefined` when they need remark: paragraphs whose lines are joined by
 * `<br>` (with `label:` in bold), and tight `- ` lists.
 */
export function plainAnswer(lines: string[]): string | undefined {
  const blocks: string[] = []
  let paragraph: string[] = []
  let items: string[] = []
  let blankInList = false

  const flushParagraph = () => {
    if (paragraph.length > 0) blocks.push(`<p>${paragraph.join('<br>\n')}</p>`)
    paragraph = []
  }
  const flushList = () => {
    if (items.length > 0) blocks.push(`<ul>\n${items.map((item) => `<li>${item}</li>`).join('\n')}\n</ul>`)
    items = []
  }

  for (const line of lines) {
    if (line === '') {
      flushParagraph()
      // A blank line followed by another item would make the list loose (`<li><p>`): leave that to remark.
      if (items.length > 0) blankInList = true
      continue
    }
    if (line.startsWith('- ')) {
      const item = line.slice(2)
      if (!isPlain(item) || blankInList) return undefined
      flushParagraph()
      items.push(item)
      continue
    }
    if (!isPlain(line)) return undefined
    flushList()
    blankInList = false
    paragraph.push(labelled(line))
  }
  flushParagraph()
  flushList()
  return blocks.join('\n')
}

function labelled(line: string): string {
  const match = label.exec(line)
  if (!match?.[0] || match[0].length > 32) return line
  return `<strong>${match[0]}</strong>${line.slice(match[0].length)}`
}
