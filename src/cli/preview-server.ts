import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {createServer} from 'node:http'
import type {ServerResponse} from 'node:http'
import path from 'node:path'
import type {Invocation} from './args.js'
import type {Environment} from './environment.js'
import {preview} from './preview.js'
import {stopped, watchedPaths} from './watch.js'
import {lecturesToRebuild, watchNotes} from './watcher.js'

type PreviewInvocation = Extract<Invocation, {command: 'preview'}>

/**
 * `deckc preview --watch`: write the pages, serve them on localhost, and on
 * every change of the notes rewrite the changed decks' pages and tell open
 * pages to reload (server-sent events). Runs until Ctrl-C.
 */
export async function previewServer(invocation: PreviewInvocation, environment: Environment): Promise<number> {
  const first = await preview(invocation, environment, {live: true})
  if (first === 2) return first
  const {roots, out} = await watchedPaths(invocation.paths, invocation.out, 'preview', environment)
  const clients = new Set<ServerResponse>()

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (url.pathname === '/events') {
      response.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-store'})
      response.write(': connected\n\n')
      clients.add(response)
      request.on('close', () => clients.delete(response))
      return
    }
    const file = path.join(out, decodeURIComponent(url.pathname))
    // Only pages inside the preview folder are served.
    if (path.relative(out, file).startsWith('..') || !file.endsWith('.html')) {
      response.writeHead(404).end()
      return
    }
    readFile(file).then(
      (data) => response.writeHead(200, {'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store'}).end(data),
      () => response.writeHead(404).end()
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  environment.stdout(`Serving ${path.relative(environment.cwd, out) || '.'} at http://127.0.0.1:${port}/ (pages reload when the notes change; Ctrl-C to stop)\n`)

  let running: Promise<unknown> = Promise.resolve()
  const stop = await watchNotes(roots, out, (files) => {
    const only = lecturesToRebuild(files, existsSync)
    if (only === false) return
    running = running.then(async () => {
      await preview(invocation, environment, {only, live: true})
      for (const client of clients) client.write('data: reload\n\n')
    })
  })
  await stopped(environment.signal)
  stop()
  await running
  for (const client of clients) client.end()
  server.close()
  return 0
}
