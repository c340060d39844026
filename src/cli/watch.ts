import {existsSync} from 'node:fs'
import path from 'node:path'
import type {Invocation} from './args.js'
import {build} from './build.js'
import type {Environment} from './environment.js'
import {loadConfig} from './notes.js'
import {lecturesToRebuild, watchNotes} from './watcher.js'

type WatchInvocation = Extract<Invocation, {command: 'build'}>

/**
 * `deckc build --watch`: build, then rebuild whenever the notes change —
 * only the lectures that changed, or every lecture when another file (an
 * image) changed. Broken notes are reported like in any build and never
 * replace a good package. Runs until the environment's signal aborts (Ctrl-C).
 *
 * @returns
 *   The exit code: 0 when stopped, 2 for a usage error before the first build.
 */
export async function watch(invocation: WatchInvocation, environment: Environment): Promise<number> {
  const first = await build(invocation, environment)
  if (first === 2) return first
  const {roots, out} = await watchedPaths(invocation.paths, invocation.out, 'dist', environment)
  let running: Promise<unknown> = Promise.resolve()

  const stop = await watchNotes(roots, out, (files) => {
    const only = lecturesToRebuild(files, existsSync)
    if (only === false) return
    running = running.then(async () => {
      environment.stdout(`\n[${new Date().toLocaleTimeString()}] ${files.length} ${files.length === 1 ? 'file' : 'files'} changed\n`)
      await build(invocation, environment, only).catch((error: unknown) => {
        environment.stderr(`deckc: the rebuild failed: ${(error as Error).stack ?? String(error)}\n`)
      })
    })
  })
  environment.stdout(`Watching ${roots.map((root) => path.relative(environment.cwd, root) || '.').join(', ')} for changes (Ctrl-C to stop)\n`)
  await stopped(environment.signal)
  stop()
  await running
  return 0
}

/** The roots and output folder of a watching command, with the configuration's defaults. */
export async function watchedPaths(paths: string[], out: string | undefined, fallback: string, environment: Environment): Promise<{roots: string[]; out: string}> {
  const config = await loadConfig(environment.cwd)
  const value = config.ok ? config.value : {}
  const roots = (paths.length > 0 ? paths : (value.notes ?? ['notes'])).map((root) => path.resolve(environment.cwd, root))
  return {roots, out: path.resolve(environment.cwd, out ?? (fallback === 'dist' ? value.out : undefined) ?? fallback)}
}

/** Resolves when the signal aborts (never without one). */
export function stopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve()
    signal?.addEventListener('abort', () => resolve(), {once: true})
  })
}
