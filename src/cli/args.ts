import {parseArgs} from 'node:util'

/** What the command line asks for. */
export type Invocation =
  | {command: 'build'; paths: string[]; out: string; check: boolean; json: boolean}
  | {command: 'check'; paths: string[]; json: boolean}
  | {command: 'help' | 'version'}
  | {command: 'usage-error'; message: string}

/** The `--help` text. */
export const help = `Usage: deckc <command> [options]

Compile question/answer Markdown lecture notes into Anki packages (.apkg).

Commands:
  build [PATHS…]   compile every lecture below PATHS (default: notes/) into --out
  check [PATHS…]   compile and report problems, but write nothing

Options:
  --out DIR        folder for the packages (default: dist/)
  --check          with build: write nothing; exit 3 when dist/ or the state
                   file is out of date
  --json           print the summary and messages as JSON on stdout
  -h, --help       show this help
  -v, --version    show the version

A folder PATH is a root: notes/a/b.md becomes DIR/a/b.apkg. A file PATH
becomes DIR/<name>.apkg. Lecture files are *.md, except README.md and names
starting with _ or .

Exit status: 0 success, 1 a lecture has errors, 2 usage error, 3 (build
--check) packages or state file out of date.
SOURCE_DATE_EPOCH (seconds) sets the build time; the same notes and time give
the same bytes.`

const options = {
  out: {type: 'string'},
  check: {type: 'boolean'},
  json: {type: 'boolean'},
  help: {type: 'boolean', short: 'h'},
  version: {type: 'boolean', short: 'v'}
} as const

/** Which options each command takes. */
const accepted: Record<string, ReadonlyArray<keyof typeof options>> = {
  build: ['out', 'check', 'json'],
  check: ['json']
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
    parsed = parseArgs({args: argv, allowPositionals: true, strict: true, options})
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
  const roots = paths.length > 0 ? paths : ['notes']
  const json = values.json ?? false
  if (command === 'check') return {command, paths: roots, json}
  return {command: 'build', paths: roots, out: values.out ?? 'dist', check: values.check ?? false, json}
}
