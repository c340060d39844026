import path from 'node:path'
import {previewPage} from '../preview/page.js'
import {report} from '../report.js'
import type {Invocation} from './args.js'
import type {Environment} from './environment.js'
import {display} from './files.js'
import {compileNotes} from './notes.js'
import {writeAtomic} from './write.js'

type PreviewInvocation = Extract<Invocation, {command: 'preview'}>

/**
 * `deckc preview [PATHS…] [--out DIR]`: compile the lectures and write one
 * self-contained HTML page per deck (`DIR/<path relative to the root>.html`)
 * showing every card's front and back as Anki renders them.
 *
 * @returns 0 every page written, 1 a lecture has errors or a page could not
 *   be written, 2 usage error.
 */
export async function preview(invocation: PreviewInvocation, environment: Environment, options: {only?: Set<string> | undefined; live?: boolean} = {}): Promise<number> {
  const notes = await compileNotes(invocation.paths, environment, options.only)
  if (typeof notes === 'number') return notes
  const {sources: found, decks, files} = notes
  const outputs = new Map(found.map((entry) => [entry.display, entry.output.replace(/\.apkg$/, '.html')]))
  const outDir = path.resolve(environment.cwd, invocation.out ?? 'preview')

  const summary: string[] = []
  for (const deck of decks) {
    if (!deck.collection) continue
    const target = path.join(outDir, outputs.get(deck.lecture.path) ?? '')
    const html = previewPage({name: deck.deck, path: deck.lecture.path, collection: deck.collection}, undefined, {live: options.live ?? false})
    const cards = deck.collection.cards.length
    try {
      await writeAtomic(target, new TextEncoder().encode(html))
      summary.push(`${deck.lecture.path} → ${display(environment.cwd, target)}  ${cards} ${cards === 1 ? 'card' : 'cards'}`)
    } catch (error) {
      deck.file.message(`Cannot write the preview ${display(environment.cwd, target)}: ${(error as Error).message}; expected a writable output folder`, {
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
