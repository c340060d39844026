import type {VFile} from 'vfile'
import {isMap, isPair, isScalar, LineCounter, parseDocument} from 'yaml'
import type {Document, Node} from 'yaml'
import type * as z from 'zod/mini'
import type {Point} from './types.js'

/** Where a YAML (or JSON) text stands in its file, and the rule id of its problems. */
export interface YamlOptions {
  file: VFile
  /** Rule id of every message, e.g. `bad-front-matter`. */
  ruleId: string
  /** Point of the text's first character in the file (default 1:1). */
  start?: Point
  /** The keys the document may have, named in the message about an unknown key. */
  keys: string[]
}

/**
 * Parse YAML (JSON is YAML too) and check it against a zod schema. Syntax
 * errors and every schema issue become errors at their line and column;
 * unknown keys are errors at the key.
 *
 * @returns
 *   The checked value, or `undefined` when there was any problem.
 */
export function parseYaml<T extends z.ZodMiniType>(text: string, schema: T, options: YamlOptions): z.output<T> | undefined {
  const lineCounter = new LineCounter()
  const document = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true})
  const place = (offset: number): Point => {
    const {line, col} = lineCounter.linePos(offset)
    const start = options.start ?? {line: 1, column: 1}
    return {line: start.line + line - 1, column: line === 1 ? start.column + col - 1 : col}
  }
  const fail = (reason: string, offset: number) => {
    options.file.message(reason, {place: place(offset), ruleId: options.ruleId, source: 'deckc'}).fatal = true
  }

  if (document.errors.length > 0) {
    for (const error of document.errors) fail(`Invalid YAML: ${error.message.split('\n')[0] ?? ''}`, error.pos[0])
    return undefined
  }
  const result = schema.safeParse(document.toJS() ?? {})
  if (result.success) return result.data
  for (const issue of result.error.issues) {
    const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol')
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const expected = path.length === 0 ? `one of ${options.keys.map((name) => `\`${name}\``).join(', ')}` : 'one of the documented keys'
        fail(`Unknown key \`${key}\`${where(path)}; expected ${expected}`, keyOffset(document, [...path, key]))
      }
    } else {
      fail(`${path.length > 0 ? `\`${path.join('.')}\`: ` : ''}${issue.message}`, valueOffset(document, path))
    }
  }
  return undefined
}

function where(path: Array<string | number>): string {
  return path.length > 0 ? ` in \`${path.join('.')}\`` : ''
}

/** Offset of the node at a path, or of its nearest existing parent. */
function valueOffset(document: Document, path: Array<string | number>): number {
  for (let length = path.length; length >= 0; length--) {
    const node = document.getIn(path.slice(0, length), true) as Node | undefined
    if (node?.range) return node.range[0]
  }
  return 0
}

/** Offset of the key of the last path element. */
function keyOffset(document: Document, path: Array<string | number>): number {
  const parent = path.length > 1 ? document.getIn(path.slice(0, -1), true) : document.contents
  if (isMap(parent)) {
    for (const item of parent.items) {
      if (isPair(item) && isScalar(item.key) && item.key.value === path.at(-1) && item.key.range) return item.key.range[0]
    }
  }
  return valueOffset(document, path.slice(0, -1))
}
