import {randomBytes} from 'node:crypto'
import {mkdir, open, readdir, rename, rm, stat} from 'node:fs/promises'
import path from 'node:path'

/** The file-system (and process) calls `writeAtomic` makes: Node's by default; tests inject failures. */
export interface WriteFs {
  mkdir(folder: string, options: {recursive: true}): Promise<unknown>
  open(file: string, flags: 'wx'): Promise<{writeFile(data: Uint8Array): Promise<void>; sync(): Promise<void>; close(): Promise<void>}>
  rename(from: string, to: string): Promise<void>
  rm(file: string, options: {force: true}): Promise<void>
  readdir(folder: string): Promise<string[]>
  stat(file: string): Promise<{mtimeMs: number}>
  /** Whether a process with this id is running. */
  alive(pid: number): boolean
  /** Now, in milliseconds. */
  now(): number
}

/** Node's file system and this machine's processes. */
export const defaultWriteFs: WriteFs = {mkdir, open, rename, rm, readdir, stat, alive, now: () => Date.now()}

/** A temporary file of a process that is gone is removed once it is this old (a write never takes so long). */
const staleAfter = 10 * 60 * 1000

/**
 * Write a file atomically: into a temporary file in the same folder, flushed
 * to disk, then renamed over the target. Readers see the old file or the new
 * one, never a part; on failure the temporary file is removed and the old
 * file stays as it was. Temporary files of this target left by a process
 * that was killed (and is gone for 10 minutes) are removed first.
 *
 * @param target
 *   Absolute path of the file to write; missing folders are created.
 * @param data
 *   The new contents, or its parts in order (each asked for when written).
 * @param fs
 *   The file system (default: Node's).
 */
export async function writeAtomic(target: string, data: Uint8Array | Iterable<Uint8Array>, fs: WriteFs = defaultWriteFs): Promise<void> {
  const folder = path.dirname(target)
  await fs.mkdir(folder, {recursive: true})
  await removeStaleTemporaries(target, fs)
  const temporary = path.join(folder, `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`)
  try {
    const handle = await fs.open(temporary, 'wx')
    try {
      // Each call writes on from where the last one ended.
      for (const part of data instanceof Uint8Array ? [data] : data) await handle.writeFile(part)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await fs.rename(temporary, target)
  } catch (error) {
    await fs.rm(temporary, {force: true})
    throw error
  }
}

/**
 * Remove the temporary files `writeAtomic` left for `target` in processes
 * that were killed: named `.<name>.<pid>-<random>.tmp`, of a process that is
 * not running, untouched for a while (a process of another container sharing
 * the folder may look gone). Best effort: a problem leaves the file.
 */
export async function removeStaleTemporaries(target: string, fs: WriteFs = defaultWriteFs): Promise<void> {
  const folder = path.dirname(target)
  const prefix = `.${path.basename(target)}.`
  const names = await fs.readdir(folder).catch(() => [])
  for (const name of names) {
    if (!name.startsWith(prefix)) continue
    const pid = /^(\d+)-[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length))?.[1]
    if (pid === undefined || Number(pid) === process.pid || fs.alive(Number(pid))) continue
    const file = path.join(folder, name)
    const info = await fs.stat(file).catch(() => undefined)
    if (info && fs.now() - info.mtimeMs > staleAfter) await fs.rm(file, {force: true}).catch(() => undefined)
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
