import {watch as watchFolder} from 'node:fs'
import type {FSWatcher} from 'node:fs'
import {stat} from 'node:fs/promises'
import path from 'node:path'
import {stateFileName} from './state-file.js'

/** How long to wait after the last change: editors write in bursts. */
const settle = 150

/**
 * Watch notes roots (folders, or single lecture files) and report the files
 * that changed, in batches once changes settle. Files deckc writes itself
 * (the state file, temporary files, anything in the output folder) and
 * hidden or private files (`.`/`_`) are ignored.
 *
 * @param roots
 *   Absolute paths of the roots.
 * @param output
 *   Absolute path of the output folder.
 * @returns
 *   A function that stops watching.
 */
export async function watchNotes(roots: string[], output: string, onChange: (files: string[]) => void): Promise<() => void> {
  const changed = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  const flush = () => {
    const files = [...changed]
    changed.clear()
    onChange(files)
  }
  const watchers: FSWatcher[] = []
  for (const root of roots) {
    const info = await stat(root).catch(() => undefined)
    const folder = info?.isDirectory() ? root : path.dirname(root)
    watchers.push(
      watchFolder(folder, {recursive: true}, (_event, name) => {
        if (!name) return
        const file = path.join(folder, name.toString())
        if (ignored(name.toString(), file, output) || (info?.isFile() && file !== root)) return
        changed.add(file)
        clearTimeout(timer)
        timer = setTimeout(flush, settle)
      })
    )
  }
  return () => {
    clearTimeout(timer)
    for (const watcher of watchers) watcher.close()
  }
}

function ignored(relative: string, file: string, output: string): boolean {
  const name = path.basename(file)
  return (
    name === stateFileName ||
    name.endsWith('.tmp') ||
    relative.split(path.sep).some((part) => part.startsWith('.') || part.startsWith('_')) ||
    !path.relative(output, file).startsWith('..')
  )
}

/** The lectures to rebuild for a batch of changed files: those that changed, or all (`undefined`) when another file (an image) changed. */
export function lecturesToRebuild(files: string[], exists: (file: string) => boolean): Set<string> | undefined | false {
  const lectures = files.filter((file) => file.toLowerCase().endsWith('.md') && exists(file))
  if (files.some((file) => !file.toLowerCase().endsWith('.md'))) return undefined
  return lectures.length > 0 ? new Set(lectures) : false
}
