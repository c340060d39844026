// The adversarial catalogue: tests/adversarial/<case>/expected.json holds a
// case's reviewed outcome of `deckc build` and `deckc check` — exit code,
// every line on stderr, and the number of cards in the package (absent: no
// package) — and input.md its lecture, unless `generate` names a generator
// below (inputs too big to commit). Cases marked `heavy` run only in
// `npm run test:heavy`. Regenerate outcomes on purpose only, after reviewing:
// UPDATE_ADVERSARIAL=1 npx vitest run tests/adversarial.test.ts
// (and the heavy suite with `npm run test:heavy`).
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import type {Root} from 'hast'
import {raw} from 'hast-util-raw'
import {visit} from 'unist-util-visit'
import {lint} from '../../src/anki/lint.js'
import {unpack} from '../../src/anki/unpack.js'
import {main} from '../../src/cli/main.js'

export const catalogue = new URL('./', import.meta.url)
export const update = process.env['UPDATE_ADVERSARIAL'] === '1'

/** A case's reviewed outcome. */
export interface Expected {
  /** What the input is (one line; README's table says the same). */
  description: string
  /** Name of a generator in `generators` instead of input.md. */
  generate?: string
  /** Only in the heavy suite. */
  heavy?: boolean
  /** Exit code of `deckc build` (and `deckc check`). */
  exit: number
  /** Cards in `dist/input.apkg`; absent when no package is written. */
  cards?: number
  /** Every line on stderr, in order. */
  stderr: string[]
}

/** What one run did. */
export interface Outcome {
  exit: number
  cards?: number
  stderr: string[]
  /** `deckc check`'s exit code and stderr. */
  check: {exit: number; stderr: string[]}
  /** Problems with the package: format violations and active content in fields. */
  problems: string[]
  /** Milliseconds the build took. */
  milliseconds: number
}

const repeat = (text: string, count: number) => text.repeat(count)

/** A card that compiles, after the broken one: the lecture's other cards are still checked. */
const good = 'What is shallow?\nThis card is fine.\n'

/** Inputs generated on the fly: too big to commit. */
export const generators: Record<string, () => string> = {
  'whitespace-runs': () =>
    `Spaces\na${repeat(' ', 200_000)}b\n${repeat('\t ', 100_000)}c\n# x${repeat(' ', 200_000)}y\nWhat is here?\nAn answer.\n`,
  'ten-megabyte-line': () => `Big\nWhat is on the next line?\n${repeat('x', 10_000_000)}\n${good}`,
  'five-megabyte-line': () => `Big\nWhat is on the next line?\n${repeat('word ', 1_000_000)}\n${good}`,
  'hundred-thousand-cards': () => `Many\n${Array.from({length: 100_000}, (_, index) => `What is ${index}?\nThe number ${index}.\n`).join('')}`,
  'too-many-cards': () => `Many\n${Array.from({length: 100_001}, (_, index) => `What is ${index}?\nThe number ${index}.\n`).join('')}`,
  'nested-lists-10000': () => `Lists\nWhat is deep?\n${repeat('- ', 10_000)}x\n${good}`,
  'nested-lists-indented-1000': () => `Lists\nWhat is deep?\n${Array.from({length: 1000}, (_, index) => `${repeat(' ', index * 2)}- ${index + 1}`).join('\n')}\n${good}`,
  'nested-quotes-10000': () => `Quotes\nWhat is deep?\n${repeat('>', 10_000)} quoted\n${good}`,
  'nested-emphasis-3000': () => `Emphasis\nWhat is deep?\n${repeat('*a ', 3000)}x${repeat(' b*', 3000)}\n${good}`,
  'nested-html-3000': () => `HTML\nWhat is deep?\n${repeat('<b><i>', 1500)}x\n${good}`
}

/** The case folders, sorted. */
export function caseNames(): string[] {
  return readdirSync(catalogue, {withFileTypes: true})
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
}

export function readExpected(name: string): Expected {
  return JSON.parse(readFileSync(new URL(`${name}/expected.json`, catalogue), 'utf8')) as Expected
}

export function writeExpected(name: string, expected: Expected, outcome: Outcome): void {
  const {description, generate, heavy} = expected
  const next: Expected = {
    description,
    ...(generate === undefined ? {} : {generate}),
    ...(heavy === undefined ? {} : {heavy}),
    exit: outcome.exit,
    ...(outcome.cards === undefined ? {} : {cards: outcome.cards}),
    stderr: outcome.stderr
  }
  writeFileSync(new URL(`${name}/expected.json`, catalogue), `${JSON.stringify(next, null, 2)}\n`)
}

export function inputOf(name: string, expected: Expected): Uint8Array {
  if (expected.generate !== undefined) {
    const generate = generators[expected.generate]
    if (!generate) throw new Error(`${name}: no generator ${expected.generate}`)
    return new TextEncoder().encode(generate())
  }
  return readFileSync(new URL(`${name}/input.md`, catalogue))
}

async function run(argv: string[], cwd: string): Promise<{exit: number; stdout: string; stderr: string}> {
  let stdout = ''
  let stderr = ''
  const exit = await main(argv, {
    cwd,
    env: {SOURCE_DATE_EPOCH: '1790000000'},
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    terminal: false
  })
  return {exit, stdout, stderr}
}

const lines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'))

/**
 * Build `notes/input.md` of a fresh project with the deckc command line (in
 * this process), then read the package back. `check` runs too and must agree.
 */
export async function runCase(input: Uint8Array): Promise<Outcome> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'deckc-adversarial-'))
  try {
    mkdirSync(path.join(cwd, 'notes'))
    writeFileSync(path.join(cwd, 'notes/input.md'), input)
    const started = performance.now()
    const build = await run(['build'], cwd)
    const milliseconds = performance.now() - started
    const check = await run(['check'], cwd)
    const problems: string[] = []
    const target = path.join(cwd, 'dist/input.apkg')
    let cards: number | undefined
    if (existsSync(target)) {
      const pkg = await unpack(readFileSync(target))
      problems.push(...lint(pkg).map((violation) => `${violation.rule}: ${violation.message}`))
      cards = pkg.cards.length
      for (const note of pkg.notes) problems.push(...activeContent(String(note.values['flds'] ?? '')))
    }
    const leftovers = existsSync(path.join(cwd, 'dist')) ? readdirSync(path.join(cwd, 'dist')).filter((name) => name !== 'input.apkg') : []
    if (leftovers.length > 0) problems.push(`unexpected files in dist: ${leftovers.join(', ')}`)
    if (build.exit === 0 && cards === undefined) problems.push('exit 0 without a package')
    if (/\n\s+at /.test(build.stderr)) problems.push('a stack trace on stderr')
    return {exit: build.exit, ...(cards === undefined ? {} : {cards}), stderr: lines(build.stderr), check: {exit: check.exit, stderr: lines(check.stderr)}, problems, milliseconds}
  } finally {
    rmSync(cwd, {recursive: true, force: true})
  }
}

/** Elements that run, load or hide content, or change the page: none may reach a field. */
const activeElements = new Set(['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'style', 'link', 'meta', 'base', 'form', 'svg', 'math', 'noscript', 'template', 'audio', 'video'])

/**
 * Active content in a field's HTML, as a browser parses it: script-like
 * elements, event handler and style attributes, and links or sources with a
 * script or data URL.
 */
export function activeContent(html: string): string[] {
  const found: string[] = []
  const tree = raw({type: 'root', children: [{type: 'raw', value: html}]} as Root)
  visit(tree, 'element', (element) => {
    if (activeElements.has(element.tagName)) found.push(`element <${element.tagName}>`)
    for (const [name, value] of Object.entries(element.properties)) {
      if (/^on/i.test(name)) found.push(`event handler ${name} on <${element.tagName}>`)
      if (name === 'style') found.push(`style attribute on <${element.tagName}>`)
      const url = String(value).replace(/[\u0000-\u0020]/g, '').toLowerCase()
      if (/^(?:href|src|action|formAction|xLinkHref|data|poster|srcSet)$/.test(name) && /^(?:javascript|vbscript|data):/.test(url)) {
        found.push(`${name}="${String(value)}" on <${element.tagName}>`)
      }
    }
  })
  return found
}
