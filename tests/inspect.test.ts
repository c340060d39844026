// deckc inspect: our packages, another tool's newer-format package, and files
// that are not packages at all.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import JSZip from 'jszip'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {BASIC_ID, CLOZE_ID} from '../src/anki/format.js'
import {pack} from '../src/anki/pack.js'
import {main} from '../src/cli/main.js'
import type {Environment} from '../src/cli/main.js'
import {compile} from '../src/compile.js'
import {anki21bPackage, BASIC_NT, CLOZE_NT, FRENCH_DECK} from './anki21b.js'
import {CHILD, fixture, FRANCE, PARENT} from './anki/fixture.js'

const lecture = `Caches
What is a cache hit? (slide 3)
The data is **in** the cache.
- fast
- cheap
What is a miss?
It is not.
`

let cwd: string

/** Writes a file into the temporary folder; returns its name. */
function put(name: string, data: Uint8Array | string): string {
  writeFileSync(path.join(cwd, name), data)
  return name
}

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'deckc-inspect-'))
  const [deck] = compile([{path: 'notes/caches.md', value: lecture}], {clock: 1_790_000_000_000})
  if (!deck?.collection) throw new Error('the lecture should compile')
  put('caches.apkg', await pack(deck.collection))
  put('fixture.apkg', await pack(fixture()))
  put('anki21b.apkg', await anki21bPackage())
})

afterAll(() => {
  rmSync(cwd, {recursive: true, force: true})
})

async function inspect(...args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  let stdout = ''
  let stderr = ''
  const environment: Environment = {cwd, env: {}, stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text)}
  const code = await main(['inspect', ...args], environment)
  return {code, stdout, stderr}
}

describe('our packages', () => {
  test('plain listing: format, decks, note types, notes as text, cards, media', async () => {
    const run = await inspect('caches.apkg')
    expect(run).toMatchObject({code: 0, stderr: ''})
    const lines = run.stdout.split('\n')
    expect(lines[0]).toBe('caches.apkg: legacy package (collection.anki2, schema 11)')
    expect(run.stdout).toMatch(/^Decks \(2\)\n {2}1 +Default +0 cards\n {2}\d+ +Caches +2 cards$/m)
    expect(run.stdout).toContain(`  ${BASIC_ID}  deckc Basic (standard)\n    fields: Front, Back, Reverse\n    templates: Card 1, Card 2\n`)
    expect(run.stdout).toContain(`  ${CLOZE_ID}  deckc Cloze (cloze)\n`)
    expect(run.stdout).toMatch(/^Notes \(2\)\n {2}\d+ {2}deckc Basic {2}guid \S+ {2}tags: .+$/m)
    expect(run.stdout).toContain('    Front: What is a cache hit? (slide 3)\n    Back: The data is in the cache. fast cheap\n    Reverse: (empty)\n')
    expect(run.stdout).toMatch(/^Cards \(2\)\n {2}card +note +deck +ord +due +queue\n {2}\d+ +\d+ +Caches +0 +1 +new$/m)
    expect(run.stdout.endsWith('Media (0)\n')).toBe(true)
  })

  test('--json: a stable document with everything', async () => {
    const run = await inspect('fixture.apkg', '--json')
    expect(run).toMatchObject({code: 0, stderr: ''})
    const json = JSON.parse(run.stdout) as Record<string, unknown>
    expect(Object.keys(json)).toEqual(['file', 'format', 'collection', 'schema', 'decks', 'notetypes', 'notes', 'cards', 'media', 'notDecoded', 'problems'])
    expect(json).toMatchObject({file: 'fixture.apkg', format: 'legacy', collection: 'collection.anki2', schema: 11, notDecoded: [], problems: []})
    expect(json['decks']).toEqual([
      {id: 1, name: 'Default', cards: 0},
      {id: PARENT.id, name: 'Geography', cards: 2},
      {id: CHILD.id, name: 'Geography::Capitals', cards: 3}
    ])
    expect(json['notetypes']).toContainEqual({
      id: CLOZE_ID,
      name: 'deckc Cloze',
      kind: 'cloze',
      fields: ['Text', 'Extra'],
      templates: [{name: 'Cloze', qfmt: '{{cloze:Text}}', afmt: '{{cloze:Text}}<br>\n{{Extra}}'}]
    })
    expect((json['notes'] as unknown[])[0]).toEqual({
      id: FRANCE.id,
      guid: FRANCE.guid,
      notetype: BASIC_ID,
      tags: ['geo', 'europe::capitals'],
      fields: [
        {name: 'Front', text: 'Capital of France? (slide 4)'},
        {name: 'Back', text: 'Paris map.png'},
        {name: 'Reverse', text: ''}
      ]
    })
    expect((json['cards'] as unknown[])[0]).toEqual({id: FRANCE.id, note: FRANCE.id, deck: CHILD.id, ord: 0, due: 1, queue: 0})
    expect(json['media']).toEqual({'map.png': 7, 'flag.png': 8})
  })
})

describe("Anki's newer format (collection.anki21b)", () => {
  test('is read: note types, decks and media from the schema-18 tables and zstd entries', async () => {
    const run = await inspect('anki21b.apkg', '--json')
    expect(run).toMatchObject({code: 0, stderr: ''})
    const json = JSON.parse(run.stdout) as Record<string, unknown>
    expect(json).toMatchObject({format: 'anki21b', collection: 'collection.anki21b', schema: 18, media: {'hello.txt': 5}, problems: []})
    expect(json['decks']).toEqual([
      {id: 1, name: 'Default', cards: 0},
      {id: 1_690_000_000_100, name: 'Languages', cards: 0},
      {id: FRENCH_DECK, name: 'Languages::French', cards: 3}
    ])
    expect(json['notetypes']).toEqual([
      {id: BASIC_NT, name: 'Basic', kind: 'standard', fields: ['Front', 'Back'], templates: [{name: 'Card 1', qfmt: '{{Front}}', afmt: '{{FrontSide}}<hr id=answer>{{Back}}'}]},
      {id: CLOZE_NT, name: 'Cloze', kind: 'cloze', fields: ['Text', 'Back Extra'], templates: [{name: 'Cloze', qfmt: '{{cloze:Text}}', afmt: '{{cloze:Text}}<br>{{Back Extra}}'}]}
    ])
    expect((json['notes'] as Array<{fields: unknown; tags: unknown}>)[0]).toMatchObject({
      tags: ['vocab', 'fr'],
      fields: [
        {name: 'Front', text: 'chat'},
        {name: 'Back', text: 'cat (animal) hello.txt'}
      ]
    })
    expect((json['cards'] as Array<{queue: number}>).map((card) => card.queue)).toEqual([0, 2, -1])
    expect(json['notDecoded']).toContain('deck options (deck_config table)')
  })

  test('the plain listing names the format and says what is not decoded', async () => {
    const run = await inspect('anki21b.apkg')
    expect(run.code).toBe(0)
    expect(run.stdout.split('\n')[0]).toBe('anki21b.apkg: newer package (collection.anki21b: zstd, schema 18)')
    expect(run.stdout).toContain('  1690000000200  Languages::French  3 cards')
    expect(run.stdout).toMatch(/ Languages::French +1 +2 +suspended$/m)
    expect(run.stdout).toContain('Media (1)\n  hello.txt  5 B\n')
    expect(run.stdout).toMatch(/\nNot decoded: deck options \(deck_config table\); collection settings/)
  })
})

describe('files that are not valid packages: exit 1, one line on stderr', () => {
  const invalid = async (name: string, data: Uint8Array | string, reason: RegExp) => {
    const run = await inspect(put(name, data))
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr.split('\n')).toHaveLength(2)
    expect(run.stderr).toMatch(new RegExp(`^deckc: ${name.replace('.', '\\.')}: not a valid Anki package: ${reason.source}`))
  }
  const zip = async (entries: Record<string, Uint8Array | string>): Promise<Uint8Array> => {
    const archive = new JSZip()
    for (const [name, data] of Object.entries(entries)) archive.file(name, data)
    return archive.generateAsync({type: 'uint8array'})
  }

  test('random bytes, and an HTML page saved as .apkg', async () => {
    const random = Uint8Array.from({length: 4096}, (_, index) => (index * 7919 + 13) % 251)
    await invalid('random.apkg', random, /not a zip archive/)
    await invalid('page.apkg', '<!doctype html><title>404</title>', /not a zip archive/)
  })

  test('a zip without a collection', async () => {
    await invalid('empty.apkg', await zip({media: '{}'}), /no collection: the package has neither collection\.anki2 nor collection\.anki21/)
  })

  test('a truncated package, and a package whose collection is truncated or not SQLite', async () => {
    const bytes = await pack(fixture())
    await invalid('truncated.apkg', bytes.subarray(0, bytes.length >> 1), /not a zip archive/)
    const database = (await (await JSZip.loadAsync(bytes)).file('collection.anki2')?.async('uint8array')) ?? new Uint8Array()
    await invalid('cut.apkg', await zip({'collection.anki2': database.subarray(0, 4096), media: '{}'}), /cannot read collection\.anki2 as a SQLite database: database disk image is malformed/)
    await invalid('text.apkg', await zip({'collection.anki2': 'hello', media: '{}'}), /not a SQLite database/)
  })

  test('a newer-format package with a broken zstd collection', async () => {
    await invalid('not-zstd.apkg', await anki21bPackage((archive) => void archive.file('collection.anki21b', 'hello')), /not zstd data/)
    const frame = await (await JSZip.loadAsync(await anki21bPackage())).file('collection.anki21b')?.async('uint8array')
    const cut = await anki21bPackage((archive) => void archive.file('collection.anki21b', frame?.subarray(0, 5000) ?? ''))
    await invalid('cut-zstd.apkg', cut, /cannot decompress collection\.anki21b \(zstd\)/)
  })
})

describe('usage', () => {
  test('a missing file or a folder is a usage error (exit 2); inspect takes one file', async () => {
    expect(await inspect('nope.apkg')).toMatchObject({code: 2, stderr: expect.stringMatching(/^deckc: No such file: nope\.apkg\n/)})
    expect(await inspect('.')).toMatchObject({code: 2, stderr: expect.stringMatching(/is a folder/)})
    expect(await inspect()).toMatchObject({code: 2, stderr: expect.stringMatching(/'inspect' takes one package file/)})
    expect(await inspect('a.apkg', 'b.apkg')).toMatchObject({code: 2})
  })
})
