import {parseArgs} from 'node:util'

/** What the command line asks for. */
export type Invocation =
  | {command: 'build' | 'check'; paths: string[]; out: string}
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
  -h, --help       show this help
  -v, --version    show the version

A folder PATH is a root: notes/a/b.md becomes DIR/a/b.apkg. A file PATH
becomes DIR/<name>.apkg. Lecture files are *.md, except README.md and names
starting with _ or .

Exit status: 0 every package written, 1 a lecture has errors, 2 usage error.
SOURCE_DATE_EPOCH (seconds) sets the build time; the same notes and time give
the same bytes.`

/**
 * Read the arguments after `deckc` (pure: no I/O).
 *
 * @param argv
 *   Arguments without the node binary and script, e.g. `['build', 'notes']`.
 */
export function parseArguments(argv: string[]): Invocation {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: {type: 'string'},
        help: {type: 'boolean', short: 'h'},
        version: {type: 'boolean', short: 'v'}
      }
    })
  } catch (error) {
    return {command: 'usage-error', message: (error as Error).message}
  }
  const {values, positionals} = parsed
  if (values.help) return {command: 'help'}
  if (values.version) return {command: 'version'}
  const [command, ...paths] = positionals
  if (command === undefined) return {command: 'help'}
  if (command !== 'build' && command !== 'check') {
    return {command: 'usage-error', message: `Unknown command '${command}'; expected 'build' or 'check'`}
  }
  if (values.out === '') return {command: 'usage-error', message: "Option '--out' needs a folder"}
  return {command, paths: paths.length > 0 ? paths : ['notes'], out: values.out ?? 'dist'}
}
