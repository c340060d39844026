/**
 * The fast path: most lecture lines are plain words, `- ` bullets and
 * `label:` lines, now and then with `inline code` or `$math$`. For those, the
 * HTML that remark would produce is written directly, several times faster.
 * Anything else — a character that could mean Markdown, HTML or a link;
 * indentation; a loose list; code and math on one line — returns `undefined`,
 * and remark renders it. A property test checks that both give the same bytes
 * and the same question text (tests/plain.test.ts).
 */
import {mathText, scanMath} from './dollars.js'

/** A line of Markdown as the fast path writes it. */
export interface FastLine {
  /** The HTML remark would render (inside its paragraph). */
  html: string
  /** Its plain text, as `mdast-util-to-string` gives it: code without backticks, math as written. */
  text: string
}

/**
 * Text that no Markdown construct can start or change: letters, digits,
 * spaces between words and harmless punctuation. Excluded, among others:
 * `\ * _ [ ] ! < > & ` ~ $ | # @` (emphasis, links, HTML, entities, code,
 * strikethrough, math, tables, headings, e-mail autolinks), tabs, and leading
 * or trailing spaces (indented code, hard breaks).
 */
export const plain = /^[\p{L}\p{N}(“"'‘][\p{L}\p{N} ,.;:'"?()/%+=’‘“”–—-]*$/u
/**
 * `plain` for text in ASCII, where its letters and digits are `A-Z a-z 0-9`:
 * several times faster than the Unicode classes, and most lines are ASCII.
 */
const plainAscii = /^[A-Za-z0-9("'][A-Za-z0-9 ,.;:'"?()/%+=-]*$/
const nonAscii = /[^\u0000-\u007F]/

/** Whether `plain` matches. */
export function isPlain(text: string): boolean {
  return plainAscii.test(text) || (nonAscii.test(text) && plain.test(text))
}

/**
 * Text between code or math spans: plain characters, any start. Not `$`: one
 * that opens no math on its line (`costs $5`) could open math that ends on
 * the next line of the paragraph, so such lines are left to remark.
 */
const between = /^[\p{L}\p{N} ,.;:'"?()/%+=’‘“”–—-]*$/u
/** What a line with code or math may start with: a plain start, or the code or math itself. */
const richStart = /^[\p{L}\p{N}(“"'‘`$]/u
/**
 * The inside of a one-backtick code span the fast path writes: no backtick,
 * nothing the HTML serializer would escape (`& <`) or that could look like an
 * e-mail autolink (`@`), no control character or tab, no space at either end
 * (CommonMark strips one space on both sides).
 */
const codeContent = /^[^\s`&<>@\p{Cc}](?:[^`&<>@\p{Cc}\t]*[^\s`&<>@\p{Cc}])?$/u
/**
 * A line with math is written directly only when nothing on it can make a `$`
 * inert (code, HTML, links, images, autolinks), so Pandoc's rule alone decides,
 * and nothing in the math needs escaping in HTML.
 */
const mathBlocker = /[`<[@&\uFDD0\uFDD1]|www\.|:\/\//i
/** GFM turns these into links even without `<…>`. */
const autolink = /www\.|:\/\//i
const orderedMarker = /^\d{1,9}[.)]( |$)/
/** A word or two and a colon opening a line (as `markLabels` in rich.ts). */
const label = /^([\p{L}\p{N}][\p{L}\p{N}'’_-]*(?: [\p{L}\p{N}'’_-]+)?):(?= )/u

/** HTML and text of a one-line question part or answer line, or `undefined` when it needs remark. */
export function fastLine(line: string): FastLine | undefined {
  // Plain text holds no `&`, `<` or `>`: it is its own HTML.
  if (isPlain(line)) return autolink.test(line) || orderedMarker.test(line) || line.endsWith(' ') ? undefined : {html: line, text: line}
  if (!richStart.test(line) || line.endsWith(' ') || orderedMarker.test(line)) return undefined
  const code = line.includes('`')
  const math = line.includes('$')
  if (code === math) return undefined
  return code ? codeLine(line) : mathLine(line)
}

/** A line of plain text and `code` spans of one backtick. */
function codeLine(line: string): FastLine | undefined {
  if (autolink.test(line)) return undefined
  let html = ''
  let text = ''
  let at = 0
  while (at < line.length) {
    const open = line.indexOf('`', at)
    const before = line.slice(at, open === -1 ? line.length : open)
    if (!between.test(before)) return undefined
    html += before
    text += before
    if (open === -1) break
    const close = line.indexOf('`', open + 1)
    if (close === -1 || line[close + 1] === '`') return undefined
    const content = line.slice(open + 1, close)
    if (!codeContent.test(content)) return undefined
    html += `<code>${content}</code>`
    text += content
    at = close + 1
  }
  return {html, text}
}

/** A line of plain text and `$…$` math. */
function mathLine(line: string): FastLine | undefined {
  if (mathBlocker.test(line)) return undefined
  const spans = scanMath(line, {inert: [], paragraphs: []})
  let html = ''
  let at = 0
  for (const span of spans) {
    if (span.display) return undefined
    const before = line.slice(at, span.start)
    if (!between.test(before)) return undefined
    html += before + mathText(span)
    at = span.end
  }
  const rest = line.slice(at)
  if (!between.test(rest)) return undefined
  // The math stays in the question's text as written.
  return {html: html + rest, text: line}
}

/** Writes a fenced code block as remark would (rich.ts `renderCode`): a language or `null`, and the code. */
export type WriteCode = (lang: string | null, value: string) => string

/** An opening code fence the fast path takes: three backticks at the start of the line, then a language or nothing. */
const opening = /^```([\w+#.-]*)$/
/** A line CommonMark would take for the closing fence: up to three spaces, three or more backticks, white space. */
const closing = /^ {0,3}`{3,}[ \t]*$/

/**
 * HTML of answer lines (without leading or trailing blank lines), or
 * `undefined` when they need remark: paragraphs whose lines are joined by
 * `<br>` (with `label:` in bold), tight `- ` lists, and — given `code` —
 * fenced code blocks opened with three backticks and closed with exactly
 * three, written by `code` without parsing the Markdown around them.
 */
export function plainAnswer(lines: string[], code?: WriteCode): string | undefined {
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

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string
    if (line === '') {
      flushParagraph()
      // A blank line followed by another item would make the list loose (`<li><p>`): leave that to remark.
      if (items.length > 0) blankInList = true
      continue
    }
    if (line.startsWith('- ')) {
      const item = fastLine(line.slice(2))
      if (!item || blankInList) return undefined
      flushParagraph()
      items.push(item.html)
      continue
    }
    const fence = opening.exec(line)
    if (fence) {
      // A fence ends the paragraph or list above it; its code runs to the first closing fence.
      let end = index + 1
      while (end < lines.length && !closing.test(lines[end] as string)) end++
      const body = lines.slice(index + 1, end)
      if (!code || lines[end] !== '```' || body.some((text) => text.includes('\u0000'))) return undefined
      flushParagraph()
      flushList()
      blankInList = false
      blocks.push(code(fence[1] || null, body.join('\n')))
      index = end
      continue
    }
    const written = fastLine(line)
    if (!written) return undefined
    flushList()
    blankInList = false
    paragraph.push(labelled(written.html))
  }
  flushParagraph()
  flushList()
  return blocks.join('\n')
}

/** Bold a label opening a line; a label is plain text, so it opens the line's HTML as it opens the line. */
function labelled(html: string): string {
  const match = label.exec(html)
  if (!match?.[0] || match[0].length > 32) return html
  return `<strong>${match[0]}</strong>${html.slice(match[0].length)}`
}
