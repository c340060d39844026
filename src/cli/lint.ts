import {readdir, readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {lint} from '../anki/lint.js'
import type {Violation} from '../anki/lint.js'
import {NewerFormatError, unpack} from '../anki/unpack.js'
import type {Invocation} from './args.js'
import type {Environment} from './environment.js'
import {usageError} from './environment.js'
import {display} from './files.js'
import {reason} from './inspect.js'

type LintInvocation = Extract<Invocation, {command: 'lint'}>

/** The violations of one package. */
interface Result {
  /** The package path as given (a folder's packages: the folder joined with their relative path). */
  path: string
  violations: Violation[]
}

/**
 * `deckc lint FILE.apkg… [--json]`: check packages, from any tool, against
 * every rule of the format document (`src/anki/lint.ts`). A folder stands for
 * every `*.apkg` below it. A file that cannot be read as a legacy package is
 * a violation too: `unreadable`, `not-a-package` or `newer-format`.
 *
 * @returns 0 no violations, 1 some, 2 usage error.
 */
export async function lintCommand(invocation: LintInvocation, environment: Environment): Promise<number> {
  const files: Array<{absolute: string; shown: string}> = []
  for (const given of invocation.paths) {
    const absolute = path.resolve(environment.cwd, given)
    const info = await stat(absolute).catch(() => undefined)
    if (!info) return usageError(environment, `No such file or folder: ${given}`)
    if (!info.isDirectory()) files.push({absolute, shown: given})
    else {
      for (const file of await packagesBelow(absolute)) {
        files.push({absolute: file, shown: path.posix.join(given, display(absolute, file))})
      }
    }
  }
  if (files.length === 0) return usageError(environment, `No packages (*.apkg) found in ${invocation.paths.join(', ')}`)

  const results: Result[] = []
  for (const file of files) results.push({path: file.shown, violations: await check(file.absolute)})
  const total = results.reduce((sum, result) => sum + result.violations.length, 0)

  if (invocation.json) {
    environment.stdout(`${JSON.stringify({packages: results, violations: total}, null, 2)}\n`)
  } else {
    const lines = results.flatMap((result) => result.violations.map(({rule, message}) => `${result.path}: ${rule}: ${message}`))
    const failing = results.filter((result) => result.violations.length > 0).length
    const summary =
      total === 0
        ? `${count(results.length, 'package')} checked: no violations`
        : `${count(results.length, 'package')} checked: ${count(total, 'violation')} in ${failing}`
    environment.stdout(`${[...lines, summary].join('\n')}\n`)
  }
  return total > 0 ? 1 : 0
}

async function check(file: string): Promise<Violation[]> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? reason(error)
    return [{rule: 'unreadable', message: `cannot read the file (${code})`}]
  }
  try {
    return lint(await unpack(bytes))
  } catch (error) {
    // The rules are those of the legacy format, which every client reads.
    if (error instanceof NewerFormatError) return [{rule: 'newer-format', message: reason(error)}]
    return [{rule: 'not-a-package', message: reason(error)}]
  }
}

/** Every `*.apkg` below a folder, sorted; names starting with `.` are skipped. */
async function packagesBelow(folder: string): Promise<string[]> {
  const entries = await readdir(folder, {withFileTypes: true})
  const found: string[] = []
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue
    const absolute = path.join(folder, entry.name)
    if (entry.isDirectory()) found.push(...(await packagesBelow(absolute)))
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.apkg')) found.push(absolute)
  }
  return found
}

function count(value: number, word: string): string {
  return `${value} ${word}${value === 1 ? '' : 's'}`
}
