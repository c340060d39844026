import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {VFile} from 'vfile'
import {pack} from '../anki/pack.js'
import {compile} from '../compile.js'
import {report} from '../report.js'
import type {Lecture} from '../types.js'
import type {Invocation} from './args.js'
import type {Environment} from './environment.js'
import {usageError} from './environment.js'
import {display, findLectures, MissingPathError} from './files.js'
import type {Found} from './files.js'
import {writeAtomic} from './write.js'

type BuildInvocation = Extract<Invocation, {command: 'build' | 'check'}>

/**
 * `deckc build` and `deckc check`: find the lectures, compile them, write a
 * package for each lecture without errors (build), and report.
 *
 * @returns
 *   0 every package written, 1 a lecture has errors or a package could not be
 *   written, 2 a usage error.
 */
export async function build(invocation: BuildInvocation, environment: Environment): Promise<number> {
  const clock = buildClock(environment.env)
  if (clock === undefined) return usageError(environment, 'SOURCE_DATE_EPOCH must be a whole number of seconds')

  let found: Found[]
  try {
    found = await findLectures(invocation.paths, environment.cwd)
  } catch (error) {
    if (error instanceof MissingPathError) return usageError(environment, error.message)
    throw error
  }
  if (found.length === 0) return usageError(environment, `No lecture files (*.md) found in ${invocation.paths.join(', ')}`)

  const {lectures, failed} = await readLectures(found)
  const decks = compile(lectures, {clock})
  const files = [...failed, ...decks.map((deck) => deck.file)]
  const outputs = new Map(found.map((entry) => [entry.display, entry.output]))
  const outDir = invocation.command === 'build' ? path.resolve(environment.cwd, invocation.out) : undefined

  const summary: string[] = []
  for (const deck of decks) {
    if (!deck.collection) continue
    const bytes = await pack(deck.collection)
    const cards = `${deck.collection.cards.length} ${deck.collection.cards.length === 1 ? 'card' : 'cards'}`
    if (outDir === undefined) {
      summary.push(`${deck.lecture.path}  ${cards}`)
      continue
    }
    const target = path.join(outDir, outputs.get(deck.lecture.path) ?? '')
    try {
      await writeAtomic(target, bytes)
      summary.push(`${deck.lecture.path} → ${display(environment.cwd, target)}  ${cards}  ${kilobytes(bytes.length)}`)
    } catch (error) {
      deck.file.message(`Cannot write the package ${display(environment.cwd, target)}: ${(error as Error).message}; expected a writable output folder`, {
        place: {line: 1, column: 1},
        ruleId: 'write-failed',
        source: 'deckc'
      }).fatal = true
    }
  }

  if (summary.length > 0) environment.stdout(`${summary.join('\n')}\n`)
  const messages = report(files)
  if (messages) environment.stderr(`${messages}\n`)
  return files.some((file) => file.messages.some((message) => message.fatal)) ? 1 : 0
}

/** Read each found file; unsafe or unreadable ones become files with an error. */
async function readLectures(found: Found[]): Promise<{lectures: Lecture[]; failed: VFile[]}> {
  const lectures: Lecture[] = []
  const failed: VFile[] = []
  for (const entry of found) {
    const problem = entry.unsafe
      ? {rule: 'unsafe-path', reason: entry.unsafe}
      : await readFile(entry.absolute).then(
          (value) => {
            lectures.push({path: entry.display, value})
            return undefined
          },
          (error: NodeJS.ErrnoException) => ({rule: 'unreadable', reason: `Cannot read the file: ${error.code ?? error.message}; expected a readable text file`})
        )
    if (problem) {
      const file = new VFile({path: entry.display})
      file.message(problem.reason, {place: {line: 1, column: 1}, ruleId: problem.rule, source: 'deckc'}).fatal = true
      failed.push(file)
    }
  }
  return {lectures, failed}
}

/** The build time in milliseconds: `SOURCE_DATE_EPOCH` when set, else now. */
function buildClock(env: Environment['env']): number | undefined {
  const epoch = env['SOURCE_DATE_EPOCH']
  if (epoch === undefined || epoch === '') return Date.now()
  return /^\d{1,12}$/.test(epoch) ? Number(epoch) * 1000 : undefined
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`
}
