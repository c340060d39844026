import {parseArgs} from 'node:util'

/**
 * What the command line asks for. Empty `paths` and an undefined `out` mean
 * the defaults: `notes`/`out` of deckc.config.json, else `notes/` and `dist/`.
 */
export type Invocation =
  | {command: 'build'; paths: string[]; out: string | undefined; check: boolean; json: boolean; bundle: string | undefined; watch: boolean; cache: boolean}
  | {command: 'check'; paths: string[]; json: boolean}
  | {command: 'inspect'; file: string; json: boolean}
  | {command: 'lint'; paths: string[]; json: boolean}
  | {command: 'preview'; paths: string[]; out: string | undefined; watch: boolean}
  | {command: 'help' | 'version'}
  | {command: 'usage-error'; message: string}

/** The `--help` text. */
export const help = `Usage: deckc <command> [options]

Compile question/answer Markdown lecture notes into Anki packages (.apkg).

Commands:
  build [PATHS…]   compile every lecture below PATHS (default: notes/) into --out
  check [PATHS…]   compile and report problems, but write nothing
  preview [PATHS…] write one HTML page per deck into --out (default:
                   preview/) showing every card as Anki renders it
  inspect FILE     list the decks, note types, notes, cards and media of
                   any .apkg (legacy or Anki's newer collection.anki21b)
  lint FILE…       check .apkg files (or every .apkg below a folder)
                   against the package format rules; exit 1 on violations

Options:
  --out DIR        folder for the packages (default: dist/) or, with
                   preview, for the pages (default: preview/)
  --bundle NAME    with build: also write DIR/NAME.apkg holding every deck
  --watch          with build: rebuild the decks whose notes change; with
                   preview: serve the pages on localhost, reloading them
  --check          with build: write nothing; exit 3 when dist/ or the state
                   file is out of date
  --no-cache       with build: compile everything, neither reading nor
                   writing the build cache (node_modules/.cache/deckc)
  --json           print the summary and messages as JSON on stdout
  -h, --help       show this help
  -v, --version    show the version

A folder PATH is a root: notes/a/b.md becomes DIR/a/b.apkg. A file PATH
becomes DIR/<name>.apkg. Lecture files are *.md, except README.md and names
starting with _ or .

Exit status: 0 success, 1 a lecture has errors (lint: a violation;
inspect: not a valid package), 2 usage error, 3 (build
--check) packages or state file out of date.
SOURCE_DATE_EPOCH (seconds) sets the build time; the same notes and time give
the same bytes.`

const options = {
  out: {type: 'string'},
  bundle: {type: 'string'},
  watch: {type: 'boolean'},
  check: {type: 'boolean'},
  json: {type: 'boolean'},
  cache: {type: 'boolean'},
  help: {type: 'boolean', short: 'h'},
  version: {type: 'boolean', short: 'v'}
} as const

/** Which options each command takes. */
const accepted: Record<string, ReadonlyArray<keyof typeof options>> = {
  build: ['out', 'check', 'json', 'bundle', 'watch', 'cache'],
  check: ['json'],
  preview: ['out', 'watch'],
  inspect: ['json'],
  lint: ['json']
}

/**
 * Read the arguments after `deckc` (pure: no I/O).
 *
 * @param argv
 *   Arguments without the node binary and script, e.g. `['build', 'notes']`.
 */
export function parseArguments(argv: string[]): Invocation {
  let parsed
  try {
    parsed = parseArgs({args: argv, allowPositionals: true, allowNegative: true, strict: true, options})
  } catch (error) {
    return {command: 'usage-error', message: (error as Error).message}
  }
  const {values, positionals} = parsed
  if (values.help) return {command: 'help'}
  if (values.version) return {command: 'version'}
  const [command, ...paths] = positionals
  if (command === undefined) return {command: 'help'}
  const allowed = accepted[command]
  if (!allowed) return {command: 'usage-error', message: `Unknown command '${command}'; expected one of: ${Object.keys(accepted).join(', ')}`}
  const extra = Object.keys(values).find((name) => !allowed.includes(name as keyof typeof options))
  if (extra) return {command: 'usage-error', message: `Option '--${extra}' does not apply to '${command}'`}
  if (values.out === '') return {command: 'usage-error', message: "Option '--out' needs a folder"}
  const json = values.json ?? false
  if (command === 'inspect') {
    const [file] = paths
    if (file === undefined || paths.length > 1) return {command: 'usage-error', message: "'inspect' takes one package file"}
    return {command, file, json}
  }
  if (command === 'lint') {
    if (paths.length === 0) return {command: 'usage-error', message: "'lint' needs package files or folders"}
    return {command, paths, json}
  }
  if (command === 'preview') return {command, paths, out: values.out, watch: values.watch ?? false}
  if (command === 'check') return {command, paths, json}
  if (values.watch && (values.check || values.json)) return {command: 'usage-error', message: "Option '--watch' does not go with '--check' or '--json'"}
  if (values.bundle !== undefined && !/^[^/\\]+$/.test(values.bundle)) return {command: 'usage-error', message: "Option '--bundle' needs a file name without folders"}
  return {command: 'build', paths, out: values.out, check: values.check ?? false, json, bundle: values.bundle, watch: values.watch ?? false, cache: values.cache ?? true}
}
