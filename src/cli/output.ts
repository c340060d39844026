import type {VFile} from 'vfile'
import {ankiSearch, describeChanges} from '../changes.js'
import type {Changes} from '../identify.js'
import {report} from '../report.js'
import type {Environment} from './environment.js'

/** What a build did with one lecture that compiled. */
export interface DeckOutcome {
  path: string
  deck: string
  cards: number
  changes: Changes
  /** Package path (display form); absent when nothing was written (check) or writing failed. */
  output?: string
  bytes?: number
}

/** Everything a build reports. */
export interface BuildResult {
  json: boolean
  /** `build --check`: nothing is written; `stale` lists what is out of date. */
  check: boolean
  outcomes: DeckOutcome[]
  /** The `--bundle` package, when written. */
  bundled: {output: string; bytes: number; decks: number} | undefined
  /** Files whose messages are reported. */
  files: VFile[]
  stale: string[]
  notices: string[]
}

/**
 * Print a build's result: by default a summary line per deck and its change
 * report on stdout, messages and notices on stderr; with `--json` one JSON
 * document on stdout.
 */
export function printResult(environment: Environment, result: BuildResult): void {
  if (result.json) {
    environment.stdout(`${JSON.stringify(toJson(result), null, 2)}\n`)
    return
  }
  const lines: string[] = []
  for (const outcome of result.outcomes) {
    const cards = `${outcome.cards} ${outcome.cards === 1 ? 'card' : 'cards'}`
    lines.push(
      outcome.output && !result.check
        ? `${outcome.path} → ${outcome.output}  ${cards}  ${(( outcome.bytes ?? 0) / 1000).toFixed(1)} kB`
        : `${outcome.path}  ${cards}`
    )
    for (const line of describeChanges(outcome.changes)) lines.push(`  ${line}`)
  }
  if (result.bundled) {
    const {output, bytes, decks} = result.bundled
    lines.push(`bundle → ${output}  ${decks} ${decks === 1 ? 'deck' : 'decks'}  ${(bytes / 1000).toFixed(1)} kB`)
  }
  if (lines.length > 0) environment.stdout(`${lines.join('\n')}\n`)

  const errors: string[] = []
  const messages = report(result.files)
  if (messages) errors.push(colour(environment) ? paint(messages) : messages)
  for (const notice of result.notices) errors.push(`deckc: ${notice}`)
  if (result.stale.length > 0) errors.push(`deckc: out of date: ${result.stale.join(', ')} (run deckc build and commit the result)`)
  if (errors.length > 0) environment.stderr(`${errors.join('\n')}\n`)
}

function toJson(result: BuildResult) {
  return {
    decks: result.outcomes.map((outcome) => ({
      path: outcome.path,
      deck: outcome.deck,
      ...(outcome.output === undefined || result.check ? {} : {output: outcome.output, bytes: outcome.bytes}),
      cards: outcome.cards,
      changes: {
        ...outcome.changes,
        removed: outcome.changes.removed.map((item) => ({...item, search: ankiSearch(item.deck, item.question)}))
      }
    })),
    messages: result.files.flatMap((file) =>
      file.messages.map((message) => ({
        path: file.path,
        line: message.line ?? 1,
        column: message.column ?? 1,
        severity: message.fatal ? 'error' : 'warning',
        rule: message.ruleId ?? null,
        message: message.reason
      }))
    ),
    ...(result.bundled ? {bundle: result.bundled} : {}),
    outOfDate: result.stale,
    notices: result.notices
  }
}

/** Colours on a terminal, unless `NO_COLOR` is set (https://no-color.org). */
function colour(environment: Environment): boolean {
  return environment.terminal === true && (environment.env['NO_COLOR'] ?? '') === ''
}

/** Red errors and yellow warnings; the rest of each line stays plain. */
function paint(messages: string): string {
  return messages.replace(/: (error|warning): /g, (_match, level: string) => `: ${level === 'error' ? '\u001B[31m' : '\u001B[33m'}${level}\u001B[39m: `)
}
