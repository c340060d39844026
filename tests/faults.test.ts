// Faults of the file system and the process, as CI meets them running as
// root (where permission bits stop nothing): failures are injected through
// the file-system layer of `writeAtomic` and `readLecture`, or come from paths
// that fail for any user (a file where a folder belongs, /proc/self/mem).
// Each injected fault is counted, so that no test passes without its fault.
import {execFile, execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs'
import * as fs from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {VFile} from 'vfile'
import {findLectures, readLecture, readWhole} from '../src/cli/files.js'
import type {ReadFs} from '../src/cli/files.js'
import {main} from '../src/cli/main.js'
import {gatherNotes, LectureChanged} from '../src/cli/notes.js'
import type {Lecture} from '../src/types.js'
import {defaultWriteFs, writeAtomic} from '../src/cli/write.js'
import type {WriteFs} from '../src/cli/write.js'
import {decode} from '../src/decode.js'
import {busyProject, expectOnlyValidPackages, expectValidPackage, folder, killBuildWhen, leftovers, project, run as runBinary, spawnBuild} from './process.js'

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected`), {code})
}

async function run(cwd: string, ...argv: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, {cwd, env: {SOURCE_DATE_EPOCH: '1790000000'}, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), terminal: false})
  return {code, stdout, stderr}
}

const lecture = 'Caches\nWhat is a cache hit?\nThe data is in the cache.\nWhat is a miss?\nIt is not.\n'

describe('writeAtomic under faults', () => {
  const previous = new TextEncoder().encode('the previous package')
  const next = new Uint8Array(64 * 1024).fill(7)

  /** Node's file system with one call replaced. */
  function faulty(overrides: Partial<WriteFs>): WriteFs {
    return {...defaultWriteFs, ...overrides}
  }

  it('writes parts one after the other, as one file', async () => {
    const dir = folder()
    const target = path.join(dir, 'deckc.lock')
    writeFileSync(target, previous)
    const parts = [new Uint8Array(70_000).fill(1), new Uint8Array(0), Uint8Array.from([2, 3]), new Uint8Array(5).fill(4)]
    // Asked for one at a time, as a state file's are made.
    await writeAtomic(target, (function* () {
      yield* parts
    })())
    expect(new Uint8Array(readFileSync(target))).toEqual(Uint8Array.from(Buffer.concat(parts)))
    expect(readdirSync(dir)).toEqual(['deckc.lock'])
  })

  it('leaves the previous file intact and no temporary file when the disk fills up mid-write', async () => {
    const dir = folder()
    const target = path.join(dir, 'deck.apkg')
    writeFileSync(target, previous)
    let faults = 0
    const full = faulty({
      open: async (file, flags) => {
        const handle = await fs.open(file, flags)
        return {
          // Half the data reaches the disk, then it is full.
          writeFile: async (data) => {
            await handle.writeFile(data.subarray(0, data.length / 2))
            faults++
            throw errno('ENOSPC')
          },
          sync: () => handle.sync(),
          close: () => handle.close()
        }
      }
    })
    await expect(writeAtomic(target, next, full)).rejects.toMatchObject({code: 'ENOSPC'})
    expect(faults).toBe(1)
    expect(readFileSync(target)).toEqual(Buffer.from(previous))
    expect(readdirSync(dir)).toEqual(['deck.apkg'])
  })

  it.each([
    ['the folder is not writable', {open: async () => Promise.reject(errno('EACCES'))}],
    [
      'flushing fails',
      {
        open: async (file: string, flags: 'wx') => {
          const handle = await fs.open(file, flags)
          return {writeFile: (data: Uint8Array) => handle.writeFile(data), sync: async () => Promise.reject(errno('EIO')), close: () => handle.close()}
        }
      }
    ],
    ['the rename fails', {rename: async () => Promise.reject(errno('EXDEV'))}]
  ] as Array<[string, Partial<WriteFs>]>)('keeps the previous file when %s', async (_, overrides) => {
    const dir = folder()
    const target = path.join(dir, 'deck.apkg')
    writeFileSync(target, previous)
    let faults = 0
    const counted = Object.fromEntries(
      Object.entries(overrides).map(([name, call]) => [
        name,
        async (...args: unknown[]) => {
          faults++
          return (call as (...args: unknown[]) => unknown)(...args)
        }
      ])
    ) as Partial<WriteFs>
    await expect(writeAtomic(target, next, faulty(counted))).rejects.toThrow()
    expect(faults).toBe(1)
    expect(readFileSync(target)).toEqual(Buffer.from(previous))
    expect(readdirSync(dir)).toEqual(['deck.apkg'])
  })

  it('fails without touching anything when the target is a folder (EISDIR for any user)', async () => {
    const dir = folder()
    const target = path.join(dir, 'deck.apkg')
    mkdirSync(target)
    writeFileSync(path.join(target, 'keep'), 'x')
    await expect(writeAtomic(target, next)).rejects.toMatchObject({code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/)})
    expect(readdirSync(dir)).toEqual(['deck.apkg'])
    expect(readdirSync(target)).toEqual(['keep'])
  })

  it('fails when a file stands where the folder belongs (ENOTDIR/EEXIST for any user)', async () => {
    const dir = folder()
    writeFileSync(path.join(dir, 'out'), 'a file')
    await expect(writeAtomic(path.join(dir, 'out/deck.apkg'), next)).rejects.toMatchObject({code: expect.stringMatching(/^(ENOTDIR|EEXIST)$/)})
    expect(readFileSync(path.join(dir, 'out'), 'utf8')).toBe('a file')
  })

  it('removes the temporary files of killed processes, and only those', async () => {
    const dir = folder()
    const target = path.join(dir, 'deck.apkg')
    const dead = 999_999_999
    const names = {
      stale: `.deck.apkg.${dead}-0badc0de.tmp`,
      fresh: `.deck.apkg.${dead}-00c0ffee.tmp`,
      running: `.deck.apkg.${process.ppid}-deadbeef.tmp`,
      otherTarget: `.other.apkg.${dead}-0badc0de.tmp`,
      unrelated: 'notes.tmp'
    }
    for (const name of Object.values(names)) writeFileSync(path.join(dir, name), 'partial')
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000)
    for (const name of [names.stale, names.running, names.otherTarget, names.unrelated]) utimesSync(path.join(dir, name), hourAgo, hourAgo)
    const asked: number[] = []
    const fsWithProcesses = faulty({alive: (pid) => (asked.push(pid), pid === process.ppid)})
    await writeAtomic(target, next, fsWithProcesses)
    expect(asked).toContain(dead)
    expect(readdirSync(dir).sort()).toEqual(['deck.apkg', names.fresh, names.running, names.otherTarget, names.unrelated].sort())
  })
})

describe('deckc build under faults', () => {
  it('reports an output path that is a folder as write-failed and keeps the other packages', async () => {
    const cwd = project({'notes/a.md': lecture, 'notes/b.md': 'Other\nWhat is b?\nB.\n'})
    mkdirSync(path.join(cwd, 'dist/a.apkg'), {recursive: true})
    const result = await run(cwd, 'build')
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^notes\/a\.md:1:1: error: Cannot write the package dist\/a\.apkg: .*\[write-failed\]\n$/)
    expect(await expectValidPackage(path.join(cwd, 'dist/b.apkg'))).toBe(1)
    expect(readdirSync(path.join(cwd, 'dist')).sort()).toEqual(['a.apkg', 'b.apkg'])
    expect(readdirSync(path.join(cwd, 'dist/a.apkg'))).toEqual([])
    // The state file is written all the same (it is written while the packages are): the next build keeps the identities.
    const files = readFileSync(path.join(cwd, 'notes/deckc.lock'), 'utf8').split('\n').slice(1, -1).map((line) => JSON.parse(line).file)
    expect(files.sort()).toEqual(['a.md', 'a.md', 'b.md'])
  })

  it('reports an unreadable lecture (EIO from /proc/self/mem, for any user) and builds the rest', async () => {
    if (!existsSync('/proc/self/mem')) return
    const cwd = project({'notes/a.md': lecture})
    const result = await run(cwd, 'build', 'notes', '/proc/self/mem')
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^[./]*\/?proc\/self\/mem:1:1: error: Cannot read the file: EIO; expected a readable text file \[unreadable\]\n$/)
    expect(await expectValidPackage(path.join(cwd, 'dist/a.apkg'))).toBe(2)
  })

  it('reports it the same way when a large build reads lectures only when parsing them', async () => {
    if (!existsSync('/proc/self/mem')) return
    const results = []
    for (const spill of ['0', '1']) {
      const cwd = project({'notes/a.md': lecture, 'notes/b.md': lecture.replace('Caches', 'Buffers')})
      const result = await runBinary(cwd, ['build', 'notes', '/proc/self/mem'], {env: {DECKC_SPILL: spill, DECKC_WORKERS: '1', DECKC_TRACE: '1'}})
      const trace = /deckc: .*\n$/.exec(result.stderr)
      expect(trace?.[0]).toContain(spill === '1' ? 'parsed cards on disk' : 'full build on 1 workers;')
      result.stderr = result.stderr.slice(0, trace?.index)
      results.push({...result, a: readFileSync(path.join(cwd, 'dist/a.apkg')).toString('base64'), b: readFileSync(path.join(cwd, 'dist/b.apkg')).toString('base64')})
    }
    expect(results[0]?.code).toBe(1)
    expect(results[0]?.stderr).toMatch(/^[./]*\/?proc\/self\/mem:1:1: error: Cannot read the file: EIO; expected a readable text file \[unreadable\]\n$/)
    expect(results[1]).toEqual(results[0])
  })

  it('says which lecture changed when one read only when parsed is gone by then', async () => {
    const cwd = project({'notes/a.md': lecture, 'notes/b.md': lecture.replace('Caches', 'Buffers')})
    const environment = {cwd, env: {SOURCE_DATE_EPOCH: '1790000000'}, stdout: () => true, stderr: () => true, terminal: false}
    const gathered = await gatherNotes([], environment, undefined, () => true)
    if (typeof gathered === 'number' || !gathered.load) throw new Error('not gathered without bytes')
    expect(gathered.lectures.map((item) => item.value.length)).toEqual([0, 0])
    expect(gathered.bytes).toBe(2 * lecture.length + 1)
    await gathered.load(gathered.lectures[0] as Lecture)
    expect(Buffer.from(gathered.lectures[0]?.value ?? []).toString()).toBe(lecture)
    rmSync(path.join(cwd, 'notes/b.md'))
    const failure = gathered.load(gathered.lectures[1] as Lecture)
    await expect(failure).rejects.toBeInstanceOf(LectureChanged)
    await expect(failure).rejects.toThrow(/^notes\/b\.md:1:1: error: Cannot read the file: ENOENT; it changed during the build, which wrote nothing \(build again\) \[unreadable\]$/)
  })

  it('never reads a symbolic link out of the notes folder, even to an unreadable file', async () => {
    if (!existsSync('/proc/self/mem')) return
    const cwd = project({'notes/a.md': lecture})
    symlinkSync('/proc/self/mem', path.join(cwd, 'notes/mem.md'))
    const result = await run(cwd, 'check')
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^notes\/mem\.md:1:1: error: Symbolic link leads outside the notes folder .*\[unsafe-path\]\n$/)
  })

  it('builds each lecture once through symbolic link loops and aliases', async () => {
    const cwd = project({'notes/a.md': lecture, 'notes/sub/b.md': 'Other\nWhat is b?\nB.\n'})
    symlinkSync('.', path.join(cwd, 'notes/loop'))
    symlinkSync('..', path.join(cwd, 'notes/sub/up'))
    symlinkSync('sub', path.join(cwd, 'notes/alias'))
    symlinkSync('self.md', path.join(cwd, 'notes/self.md'))
    symlinkSync('ping', path.join(cwd, 'notes/pong'))
    symlinkSync('pong', path.join(cwd, 'notes/ping'))
    const result = await run(cwd, 'build')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(readdirSync(path.join(cwd, 'dist'), {recursive: true}).map(String).sort()).toEqual(['a.apkg', 'sub', 'sub/b.apkg'])
  })

  it('walks into a folder named like a lecture (x.md/) and compiles the lectures in it', async () => {
    const cwd = project({'notes/x.md/inner.md': lecture})
    const result = await run(cwd, 'build')
    expect(result.code).toBe(0)
    expect(await expectValidPackage(path.join(cwd, 'dist/x.md/inner.apkg'))).toBe(2)
    expect((await run(cwd, 'build', 'notes/x.md')).code).toBe(0)
  })

  const unreadable = 'notes/deckc.lock:1:1: warning: Cannot read the state file: not a regular file; every card is taken as new [bad-lock]\n'
  it.each([
    // Nor can it be written: a rename does not replace a folder.
    ['a folder', (lock: string) => mkdirSync(lock), /^notes\/deckc\.lock:1:1: warning: Cannot write the state file: .*\[lock-not-written\]\n$/],
    // Replaced by the new state file.
    ['a named pipe (never waited on)', (lock: string) => execFileSync('mkfifo', [lock]), /^$/]
  ])('takes every card as new when the state file is %s, and says why', async (_, make, after) => {
    const cwd = project({'notes/a.md': lecture})
    make(path.join(cwd, 'notes/deckc.lock'))
    const result = await run(cwd, 'build')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('2 new, 0 updated, 0 unchanged')
    expect(result.stderr.slice(0, unreadable.length)).toBe(unreadable)
    expect(result.stderr.slice(unreadable.length)).toMatch(after)
    expect(await expectValidPackage(path.join(cwd, 'dist/a.apkg'))).toBe(2)
  })

  it('refuses a named pipe given as a lecture instead of waiting on it forever', async () => {
    const cwd = project({'notes/a.md': lecture})
    const made = await new Promise<boolean>((resolve) => execFile('mkfifo', [path.join(cwd, 'notes/pipe.md')], (error) => resolve(!error)))
    if (!made) return
    expect(await findLectures(['notes'], cwd)).toHaveLength(1)
    const result = await run(cwd, 'build', 'notes/pipe.md')
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^deckc: Not a file or folder: notes\/pipe\.md\n/)
  })
})

describe('readWhole', () => {
  it('reads a file whole, empty or not, and passes on errors of the file system', async () => {
    const dir = folder()
    const bytes = Buffer.from(Array.from({length: 300_000}, (_, index) => index % 251))
    writeFileSync(path.join(dir, 'state'), bytes)
    writeFileSync(path.join(dir, 'empty'), '')
    expect(Buffer.compare(await readWhole(path.join(dir, 'state')), bytes)).toBe(0)
    expect(await readWhole(path.join(dir, 'empty'))).toHaveLength(0)
    // Said at once: the file is opened before the read begins.
    expect(() => readWhole(path.join(dir, 'missing'))).toThrow(/ENOENT/)
  })

  it('reads on past the size the file had when opened', async () => {
    // A file of /proc says its size is 0, and has more.
    if (!existsSync('/proc/self/status')) return
    expect((await readWhole('/proc/self/status')).toString()).toMatch(/^Name:.*\n[^]*\nPid:\s+\d+\n/)
  })
})

describe('readLecture', () => {
  it('reads no more than the size limit allows, and decode calls the file too large', async () => {
    const dir = folder()
    const file = path.join(dir, 'big.md')
    writeFileSync(file, Buffer.alloc(5000, 'a'))
    const bytes = await readLecture(file, 1000)
    expect(bytes.length).toBe(1001)
    const messages = new VFile({path: 'big.md'})
    expect(decode(bytes, messages, {fileBytes: 1000})).toBeUndefined()
    expect(messages.messages.map(String)).toEqual(['big.md:1:1: File is too large: found more than 1,000 bytes; expected at most 1,000 bytes (split the lecture into several files)'])
    expect(await readLecture(file)).toHaveLength(5000)
  })

  it.each(['EACCES', 'EIO'])('passes on %s from the file system', async (code) => {
    let faults = 0
    const failing: ReadFs = {
      open: async (file, flags) => {
        if (code === 'EACCES') {
          faults++
          throw errno(code)
        }
        const handle = await fs.open(file, flags)
        return {
          stat: () => handle.stat(),
          read: async () => {
            faults++
            throw errno(code)
          },
          close: () => handle.close()
        }
      }
    }
    const dir = folder()
    writeFileSync(path.join(dir, 'a.md'), lecture)
    await expect(readLecture(path.join(dir, 'a.md'), undefined, failing)).rejects.toMatchObject({code})
    expect(faults).toBe(1)
  })

  it('does not read a named pipe', async () => {
    const dir = folder()
    const pipe = path.join(dir, 'pipe.md')
    const made = await new Promise<boolean>((resolve) => execFile('mkfifo', [pipe], (error) => resolve(!error)))
    if (!made) return
    await expect(readLecture(pipe)).rejects.toMatchObject({code: 'not a regular file'})
  })
})

describe('deckc build, concurrently and killed', () => {
  it('two builds writing the same output at once leave valid packages, never a mixed one', async () => {
    const cwd = busyProject(4, 40)
    const [first, second] = [spawnBuild(cwd), spawnBuild(cwd)]
    expect(await first.done).toBe(0)
    expect(await second.done).toBe(0)
    const {packages, temporary} = await expectOnlyValidPackages(cwd)
    expect({packages, temporary}).toEqual({packages: 4, temporary: []})
    // Both wrote the same bytes: the package is the one a lone build writes.
    const alone = busyProject(4, 40)
    expect(await spawnBuild(alone).done).toBe(0)
    expect(readFileSync(path.join(cwd, 'dist/l00.apkg')).equals(readFileSync(path.join(alone, 'dist/l00.apkg')))).toBe(true)
  }, 60_000)

  it('a build killed while writing leaves no truncated package, and the next build removes its temporary files', async () => {
    const cwd = busyProject(8, 20)
    const states = []
    // Killed in the middle of writing a package, and between two packages (the heavy suite kills at random).
    for (const when of [(name: string) => name.endsWith('.tmp'), (name: string) => name === 'l02.apkg']) {
      await killBuildWhen(cwd, when)
      states.push(await expectOnlyValidPackages(cwd))
    }
    expect(states.some((state) => state.packages < 8)).toBe(true)
    const dist = path.join(cwd, 'dist')
    // Leftovers of killed builds are removed once they are old: make them so.
    const old = new Date(Date.now() - 60 * 60 * 1000)
    for (const name of leftovers(dist)) utimesSync(path.join(dist, name), old, old)
    expect(await spawnBuild(cwd).done).toBe(0)
    expect(await expectOnlyValidPackages(cwd)).toEqual({packages: 8, temporary: []})
  }, 90_000)
})
