import {Buffer} from 'node:buffer'
import {closeSync, constants, fstatSync, openSync, read, readSync} from 'node:fs'
import {readdir, realpath, stat} from 'node:fs/promises'
import path from 'node:path'
import {defaultLimits} from '../limits.js'

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
 * read. Links to folders inside the root are followed after the folders
 * themselves, each folder once: a folder reached twice (a loop, or a link to a
 * folder already found) adds nothing.
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
      const visited = new Set([root])
      const links: Link[] = []
      await walk({absolute, real: root, relative: ''}, root, visited, found, cwd, links)
      for (let link = links.shift(); link; link = links.shift()) {
        if (visited.has(link.real)) continue
        visited.add(link.real)
        await walk(link, root, visited, found, cwd, links)
      }
    } else if (!info.isFile()) {
      // A named pipe or device would block or never end: only regular files are lectures.
      throw new MissingPathError(`Not a file or folder: ${given}`)
    } else {
      found.push({absolute, display: display(cwd, absolute), output: replaceExtension(path.basename(absolute)), unsafe: undefined})
    }
  }
  return found.sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0))
}

/** A folder to walk: its path as found, its real path, and its path below the root. */
interface Link {
  absolute: string
  real: string
  relative: string
}

async function walk(folder: Link, root: string, visited: Set<string>, found: Found[], cwd: string, links: Link[]): Promise<void> {
  const entries = await readdir(folder.absolute, {withFileTypes: true})
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name.startsWith('_')) continue
    const absolute = path.join(folder.absolute, entry.name)
    const inner = folder.relative === '' ? entry.name : `${folder.relative}/${entry.name}`
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
        // Walked once the real folders are done, unless one of them is this one.
        links.push({absolute, real: target, relative: inner})
        continue
      }
    }

    if (isDirectory) {
      const real = path.join(folder.real, entry.name)
      if (visited.has(real)) continue
      visited.add(real)
      await walk({absolute, real, relative: inner}, root, visited, found, cwd, links)
    } else if (isFile && isLecture(entry.name)) {
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

/** The file-system calls `readLecture` makes: Node's by default; tests inject failures. */
export interface ReadFs {
  open(file: string, flags: number): Promise<{
    stat(): Promise<{isFile(): boolean; size: number}>
    read(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{bytesRead: number}>
    close(): Promise<void>
  }>
}

/**
 * Node's file system, called synchronously behind the promises: a lecture is
 * read in a few system calls, without a trip through libuv's thread pool and
 * back for each (100 lectures of 128 kB: 13 ms against 24 ms).
 */
export const defaultReadFs: ReadFs = {
  async open(file, flags) {
    const fd = openSync(file, flags)
    return {
      stat: async () => fstatSync(fd),
      read: async (buffer, offset, length, position) => ({bytesRead: readSync(fd, buffer, offset, length, position)}),
      close: async () => closeSync(fd)
    }
  }
}

/**
 * Read a lecture file, but never more than `limit + 1` bytes: a larger file
 * is cut there, and `decode` reports it `too-large` without decoding it. A
 * named pipe or device is not read at all (it could block forever).
 *
 * @param file
 *   Absolute path.
 * @param limit
 *   The largest lecture in bytes (default `defaultLimits.fileBytes`).
 * @param fs
 *   The file system (default: Node's).
 * @throws
 *   The file system's error (with its `code`), or one with code
 *   `not a regular file`.
 */
export async function readLecture(file: string, limit: number = defaultLimits.fileBytes, fs: ReadFs = defaultReadFs): Promise<Uint8Array> {
  const handle = await openLecture(file, fs)
  try {
    const info = await handle.stat()
    const chunks: Uint8Array[] = []
    let total = 0
    // The file as its size says, and one byte more to notice it growing; then on in 64 kB steps.
    let want = info.size + 1
    while (total <= limit) {
      const chunk = new Uint8Array(Math.min(want, limit + 1 - total))
      want = 1 << 16
      const {bytesRead} = await handle.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      chunks.push(chunk.subarray(0, bytesRead))
      total += bytesRead
    }
    if (chunks.length === 1) return chunks[0] as Uint8Array
    const bytes = new Uint8Array(total)
    let offset = 0
    for (const chunk of chunks) {
      bytes.set(chunk, offset)
      offset += chunk.length
    }
    return bytes
  } finally {
    await handle.close()
  }
}

/**
 * The size of a lecture file, opened as `readLecture` opens it and its first
 * byte read (failing as reading it would), without reading the rest.
 */
export async function sizeOfLecture(file: string, fs: ReadFs = defaultReadFs): Promise<number> {
  const handle = await openLecture(file, fs)
  try {
    const {size} = await handle.stat()
    await handle.read(new Uint8Array(1), 0, 1, null)
    return size
  } finally {
    await handle.close()
  }
}

/** Open a lecture file for reading; it must be a regular file. */
async function openLecture(file: string, fs: ReadFs): ReturnType<ReadFs['open']> {
  // Non-blocking, so that opening a named pipe does not wait for a writer.
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  const info = await handle.stat().catch(async (error: unknown) => {
    await handle.close()
    throw error
  })
  if (!info.isFile()) {
    await handle.close()
    throw Object.assign(new Error(`${file} is not a regular file`), {code: 'not a regular file'})
  }
  return handle
}

/**
 * A whole file's bytes, read by one request to libuv's threads for its size:
 * it goes on while this thread works (`readFile` asks for 512 kB at a time,
 * each at this thread's next turn). Opened at once, as `readLecture` opens
 * (never waiting on a named pipe): the read has begun when this returns. Read
 * on to the end, should the file have grown.
 *
 * @throws
 *   At once, when the file cannot be opened: the file system's error (with
 *   its `code`), or one with code `not a regular file`. The promise rejects
 *   with the error of a read that fails.
 */
export function readWhole(file: string): Promise<Buffer> {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK)
  let bytes: Buffer
  try {
    const info = fstatSync(fd)
    if (!info.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), {code: 'not a regular file'})
    bytes = Buffer.allocUnsafe(info.size)
  } catch (error) {
    closeSync(fd)
    throw error
  }
  const opened = fd
  const into = (buffer: Buffer, offset: number, position: number) =>
    new Promise<number>((resolve, reject) => read(opened, buffer, offset, buffer.length - offset, position, (error, count) => (error ? reject(error) : resolve(count))))
  // As much as the size said, then on in 64 kB parts until the end.
  const from = async (length: number): Promise<Buffer> => {
    if (length < bytes.length) {
      const count = await into(bytes, length, length)
      return count === 0 ? bytes.subarray(0, length) : from(length + count)
    }
    const more = Buffer.allocUnsafe(1 << 16)
    const count = await into(more, 0, length)
    if (count === 0) return bytes
    bytes = Buffer.concat([bytes, more.subarray(0, count)])
    return from(length + count)
  }
  return from(0).finally(() => closeSync(opened))
}

/** A path as shown to the user: relative to the working directory, with `/`. */
export function display(cwd: string, absolute: string): string {
  const relative = path.relative(cwd, absolute)
  const shown = relative === '' ? '.' : path.isAbsolute(relative) ? absolute : relative
  return shown.split(path.sep).join('/')
}
