import {readdir, realpath, stat} from 'node:fs/promises'
import path from 'node:path'

/** A lecture file found below a root. */
export interface Found {
  /** Absolute path. */
  absolute: string
  /** Path relative to the working directory, `/`-separated: used in every message. */
  display: string
  /** Package path relative to the output folder, `/`-separated. */
  output: string
  /** Set when the file must not be read, with the reason. */
  unsafe: string | undefined
}

/** A PATH argument that does not exist. */
export class MissingPathError extends Error {}

/**
 * Find the lecture files of a build: `**\/*.md` below each folder PATH (except
 * `README.md` and names starting with `_` or `.`), and each file PATH itself.
 * A symbolic link that leads outside its root is reported as unsafe and never
 * read; links are followed once (a loop ends there).
 *
 * @param paths
 *   The PATH arguments, relative to `cwd`.
 * @param cwd
 *   The working directory.
 * @returns
 *   The files sorted by display path.
 */
export async function findLectures(paths: string[], cwd: string): Promise<Found[]> {
  const found: Found[] = []
  for (const given of paths) {
    const absolute = path.resolve(cwd, given)
    const info = await stat(absolute).catch(() => undefined)
    if (!info) throw new MissingPathError(`No such file or folder: ${given}`)
    if (info.isDirectory()) {
      const root = await realpath(absolute)
      await walk(absolute, root, '', new Set([root]), found, cwd)
    } else {
      found.push({absolute, display: display(cwd, absolute), output: replaceExtension(path.basename(absolute)), unsafe: undefined})
    }
  }
  return found.sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0))
}

async function walk(folder: string, root: string, relative: string, visited: Set<string>, found: Found[], cwd: string): Promise<void> {
  const entries = await readdir(folder, {withFileTypes: true})
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name.startsWith('_')) continue
    const absolute = path.join(folder, entry.name)
    const inner = relative === '' ? entry.name : `${relative}/${entry.name}`
    let isDirectory = entry.isDirectory()
    let isFile = entry.isFile()

    if (entry.isSymbolicLink()) {
      const target = await realpath(absolute).catch(() => undefined)
      const info = target === undefined ? undefined : await stat(target).catch(() => undefined)
      if (!target || !info) continue // A dangling link is not a lecture.
      isDirectory = info.isDirectory()
      isFile = info.isFile()
      if (!isDirectory && !isLecture(entry.name)) continue
      if (!inside(root, target)) {
        if (isFile || isDirectory) {
          found.push({absolute, display: display(cwd, absolute), output: replaceExtension(inner), unsafe: `Symbolic link leads outside the notes folder (to ${target}); expected files inside ${display(cwd, root)}`})
        }
        continue
      }
      if (isDirectory) {
        if (visited.has(target)) continue
        visited.add(target)
      }
    }

    if (isDirectory) await walk(absolute, root, inner, visited, found, cwd)
    else if (isFile && isLecture(entry.name)) {
      found.push({absolute, display: display(cwd, absolute), output: replaceExtension(inner), unsafe: undefined})
    }
  }
}

function isLecture(name: string): boolean {
  return name.toLowerCase().endsWith('.md') && name.toLowerCase() !== 'readme.md'
}

function inside(root: string, target: string): boolean {
  const relative = path.relative(root, target)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

function replaceExtension(file: string): string {
  return file.replace(/\.md$/i, '') + '.apkg'
}

/** A path as shown to the user: relative to the working directory, with `/`. */
export function display(cwd: string, absolute: string): string {
  const relative = path.relative(cwd, absolute)
  const shown = relative === '' ? '.' : path.isAbsolute(relative) ? absolute : relative
  return shown.split(path.sep).join('/')
}
