import {existsSync, watch as watchFolder} from 'node:fs'
import type {FSWatcher} from 'node:fs'
import {stat} from 'node:fs/promises'
import path from 'node:path'
import type {Invocation} from './args.js'
import {build} from './build.js'
import type {Environment} from './environment.js'
import {loadConfig} from './notes.js'
import {stateFileName} from './state-file.js'

type WatchInvocation = Extract<Invocation, {command: 'build'}>

/** How long to wait after the last change before rebuilding: editors write in bursts. */
const settle = 150

/**
 * `deckc build --watch`: build, then rebuild whenever the notes change —
 * only the lectures that changed, or every lecture when another file (an
 * image) changed. Broken notes are reported like in any build and never
 * replace a good package. Files deckc writes itself (packages, the state
 * file, temporary files) are ignored. Runs until `signal` aborts (Ctrl-C).
 *
 * @returns
 *   The exit code: 0 when stopped, 2 for a usage error before the first build.
 */
export async function watch(invocation: WatchInvocation, environment: Environment, signal?: AbortSignal): Promise<number> {
  const first = await build(invocation, environment)
  if (first === 2) return first
  signal ??= environment.signal

  const config = await loadConfig(environment.cwd)
  const roots = (invocation.paths.length > 0 ? invocation.paths : config.ok ? (config.value.notes ?? ['notes']) : ['notes']).map((root) => path.resolve(environment.cwd, root))
  const out = path.resolve(environment.cwd, invocation.out ?? (config.ok ? config.value.out : undefined) ?? 'dist')
  const changed = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = Promise.resolve()

  const rebuild = () => {
    const files = [...changed]
    changed.clear()
    const lectures = files.filter((file) => file.toLowerCase().endsWith('.md') && existsSync(file))
    // A changed image may be used by any lecture; a deleted lecture leaves its package alone.
    const others = files.some((file) => !file.toLowerCase().endsWith('.md'))
    if (lectures.length === 0 && !others) return
    running = running.then(async () => {
      environment.stdout(`\n[${new Date().toLocaleTimeString()}] ${files.length} ${files.length === 1 ? 'file' : 'files'} changed\n`)
      try {
        await build(invocation, environment, others ? undefined : new Set(lectures))
      } catch (error) {
        environment.stderr(`deckc: the rebuild failed: ${(error as Error).stack ?? String(error)}\n`)
      }
    })
  }

  const watchers: FSWatcher[] = []
  for (const root of roots) {
    const info = await stat(root).catch(() => undefined)
    const folder = info?.isDirectory() ? root : path.dirname(root)
    watchers.push(
      watchFolder(folder, {recursive: true}, (_event, name) => {
        if (!name) return
        const file = path.join(folder, name.toString())
        if (ignored(name.toString(), file, out)) return
        if (info?.isFile() && file !== root) return
        changed.add(file)
        clearTimeout(timer)
        timer = setTimeout(rebuild, settle)
      })
    )
  }
  environment.stdout(`Watching ${roots.map((root) => path.relative(environment.cwd, root) || '.').join(', ')} for changes (Ctrl-C to stop)\n`)

  await new Promise<void>((resolve) => {
    if (signal?.aborted) resolve()
    signal?.addEventListener('abort', () => resolve(), {once: true})
  })
  clearTimeout(timer)
  for (const watcher of watchers) watcher.close()
  await running
  return 0
}

/** What deckc writes itself, and hidden or private files, never trigger a rebuild. */
function ignored(relative: string, file: string, out: string): boolean {
  const name = path.basename(file)
  return (
    name === stateFileName ||
    name.endsWith('.tmp') ||
    relative.split(path.sep).some((part) => part.startsWith('.') || part.startsWith('_')) ||
    !path.relative(out, file).startsWith('..')
  )
}
