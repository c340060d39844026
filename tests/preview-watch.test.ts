// `deckc preview --watch`: pages served on localhost, told to reload when the notes change.
import {spawn} from 'node:child_process'
import {get} from 'node:http'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {expect, it} from 'vitest'
import {until} from './process.js'

const bin = fileURLToPath(new URL('../bin/deckc.js', import.meta.url))


function fetchText(url: string): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => (body += chunk.toString()))
      response.on('end', () => resolve({status: response.statusCode ?? 0, body}))
    }).on('error', reject)
  })
}

it('serves the pages, refuses other paths, and sends a reload when a lecture changes', async () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'deckc-preview-watch-'))
  mkdirSync(path.join(cwd, 'notes'))
  writeFileSync(path.join(cwd, 'notes/w.md'), 'W\nWhat is a?\nA.\n')
  const child = spawn(process.execPath, [bin, 'preview', '--watch'], {cwd})
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  try {
    await until(() => /http:\/\/127\.0\.0\.1:\d+\//.test(stdout))
    const base = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout)?.[0] ?? ''
    const page = await fetchText(`${base}w.html`)
    expect(page.status).toBe(200)
    expect(page.body).toContain('What is a?')
    expect(page.body).toContain("new EventSource('/events')")
    expect((await fetchText(`${base}..%2Fnotes%2Fw.md`)).status).toBe(404)

    let events = ''
    const stream = get(`${base}events`, (response) => response.on('data', (chunk: Buffer) => (events += chunk.toString())))
    await until(() => events.includes(': connected'))
    writeFileSync(path.join(cwd, 'notes/w.md'), 'W\nWhat is b?\nB.\n')
    await until(() => events.includes('data: reload'))
    expect((await fetchText(`${base}w.html`)).body).toContain('What is b?')
    stream.destroy()
  } finally {
    child.kill('SIGTERM')
  }
  expect(await exited).toBe(0)
})
