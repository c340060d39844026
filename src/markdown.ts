import type {Root} from 'mdast'
import remarkGfm from 'remark-gfm'
import remarkParse from 'remark-parse'
import {unified} from 'unified'
import type {SourceLine} from './types.js'

const parser = unified().use(remarkParse).use(remarkGfm).freeze()

/** Parse Markdown (CommonMark + GFM) into an mdast tree with positions relative to `markdown`. */
export function parseMarkdown(markdown: string): Root {
  return parser.parse(markdown)
}

/** Answer Markdown prepared for parsing, with a map back to the source lines. */
export interface AnswerSource {
  markdown: string
  /** `lines[i]` is the source line number of line `i + 1` of `markdown`. */
  lines: number[]
}

const listMarker = /^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/
const fenceMarker = /^[ \t]*(`{3,}|~{3,})/

/**
 * Join answer lines into Markdown where a line that is not indented ends the
 * list or block quote above it.
 *
 * Authors write one fact per line; CommonMark would instead continue the last
 * bullet's paragraph lazily (`- update weights` followed by `repeat over the
 * dataset` is one bullet to it). A blank line is put before such a line, which
 * ends the list without making it loose; the line map keeps positions exact.
 */
export function answerSource(answer: SourceLine[]): AnswerSource {
  const out: string[] = []
  const lines: number[] = []
  let inContainer = false
  let previousBlank = true
  let fence: string | undefined

  for (const {line, text} of answer) {
    const blank = text.trim() === ''
    const marker = fenceMarker.exec(text)?.[1]
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && text.trim() === marker) fence = undefined
    } else if (!blank) {
      const indented = /^[ \t]/.test(text)
      const container = listMarker.test(text) || /^[ \t]*>/.test(text)
      if (!indented && !container && inContainer && !previousBlank) {
        out.push('')
        lines.push(line)
      }
      if (container) inContainer = true
      else if (!indented) inContainer = false
      if (marker) fence = marker
    }
    out.push(text)
    lines.push(line)
    previousBlank = blank
  }

  return {markdown: out.join('\n'), lines}
}
