import {createHash} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {
  BASIC,
  BASIC_ID,
  CLOZE,
  CLOZE_ID,
  collectionConf,
  CSS,
  DEFAULT_DECK,
  DEFAULT_DECK_CONF,
  deckObject,
  decksJson,
  modelsJson,
  NOTETYPE_MOD,
  schemaStatements
} from '../../src/anki/format.js'
import type {NotetypeJson} from '../../src/anki/format.js'

/**
 * Every published version of the note types: the `mod` it shipped with and the
 * SHA-256 of its JSON with `mod` set to 0. When a test below fails because the
 * JSON changed, bump NOTETYPE_MOD in src/anki/format.ts to the time of the
 * change and APPEND a new entry — never edit an old one. Anki only updates a
 * user's note type when `mod` is newer (anki-apkg-format.md §7.3).
 */
const NOTETYPE_HISTORY = [
  {
    mod: 1_795_651_200,
    basic: '778941425b52b0d40accab7c4bd6e5d5d0b16c872cc60db59f53ad00160e4ebd',
    cloze: 'a7c89ee6165d4f084e55bbbfa535707cb173f9f847d244d5d06aead4bec06aff'
  },
  {
    // Highlight.js token colours (light and night), `.math` blocks.
    mod: 1_795_701_600,
    basic: '1bb042fc75a3163adceca4e612430a4b5e806720477937b3fc3c0f84ca4ce040',
    cloze: '2f009ae75bfee3ca489e06b1d4507013001098bfbe72e609fa16b9989350f814'
  }
]

const contentHash = (notetype: NotetypeJson): string =>
  createHash('sha256').update(JSON.stringify({...notetype, mod: 0})).digest('hex')

describe('note type versions', () => {
  const latest = NOTETYPE_HISTORY.at(-1)

  test('the note type JSON is the latest published version (else bump NOTETYPE_MOD and append)', () => {
    expect({basic: contentHash(BASIC), cloze: contentHash(CLOZE)}).toEqual({basic: latest?.basic, cloze: latest?.cloze})
  })

  test('NOTETYPE_MOD is the latest version’s mod, and mods only grow', () => {
    expect(NOTETYPE_MOD).toBe(latest?.mod)
    expect(BASIC.mod).toBe(NOTETYPE_MOD)
    expect(CLOZE.mod).toBe(NOTETYPE_MOD)
    const mods = NOTETYPE_HISTORY.map((version) => version.mod)
    expect(mods).toEqual([...new Set(mods)].sort((a, b) => a - b))
  })
})

describe('note types', () => {
  test('ids are fixed, in [2^30, 2^31), and distinct', () => {
    expect(BASIC_ID).toBe(1_759_256_399)
    expect(CLOZE_ID).toBe(1_204_711_987)
    for (const id of [BASIC_ID, CLOZE_ID]) {
      expect(id).toBeGreaterThanOrEqual(2 ** 30)
      expect(id).toBeLessThan(2 ** 31)
    }
    expect(BASIC.id).toBe(BASIC_ID)
    expect(CLOZE.id).toBe(CLOZE_ID)
  })

  test('field and template ids are fixed integers below 2^53, all distinct', () => {
    const ids = [BASIC, CLOZE].flatMap((model) => [...model.flds, ...model.tmpls].map((item) => item.id))
    expect(ids).toEqual([
      4_446_386_311_717_924, 5_306_070_647_055_202, 4_627_193_661_496_694, 3_223_364_383_787_252,
      3_294_225_421_542_347, 6_319_362_901_426_841, 6_341_802_864_887_766, 5_278_111_350_426_041
    ])
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(Number.isSafeInteger(id)).toBe(true)
  })

  test('Basic: Front/Back/Reverse, a forward and an optional reverse card', () => {
    expect(BASIC.name).toBe('deckc Basic')
    expect(BASIC.type).toBe(0)
    expect(BASIC.flds.map((field) => [field.name, field.ord])).toEqual([['Front', 0], ['Back', 1], ['Reverse', 2]])
    expect(BASIC.tmpls.map(({name, ord, qfmt, afmt}) => ({name, ord, qfmt, afmt}))).toEqual([
      {name: 'Card 1', ord: 0, qfmt: '{{Front}}', afmt: '{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}'},
      {name: 'Card 2', ord: 1, qfmt: '{{#Reverse}}{{Back}}{{/Reverse}}', afmt: '{{FrontSide}}\n\n<hr id=answer>\n\n{{Front}}'}
    ])
    expect(BASIC.req).toEqual([[0, 'all', [0]], [1, 'all', [1, 2]]])
  })

  test('Cloze: Text/Extra and one cloze template', () => {
    expect(CLOZE.name).toBe('deckc Cloze')
    expect(CLOZE.type).toBe(1)
    expect(CLOZE.flds.map((field) => field.name)).toEqual(['Text', 'Extra'])
    expect(CLOZE.tmpls.map(({name, qfmt, afmt}) => ({name, qfmt, afmt}))).toEqual([
      {name: 'Cloze', qfmt: '{{cloze:Text}}', afmt: '{{cloze:Text}}<br>\n{{Extra}}'}
    ])
    expect(CLOZE.req).toEqual([[0, 'all', [0]]])
  })

  test('carry the full key set of §3.2–3.4 in a fixed order', () => {
    expect(Object.keys(BASIC)).toEqual([
      'id', 'name', 'type', 'mod', 'usn', 'sortf', 'did', 'tmpls', 'flds', 'css',
      'latexPre', 'latexPost', 'latexsvg', 'req', 'tags', 'vers'
    ])
    expect(Object.keys(BASIC.flds[0] ?? {})).toEqual([
      'name', 'ord', 'sticky', 'rtl', 'font', 'size', 'description', 'plainText', 'collapsed',
      'excludeFromSearch', 'id', 'media'
    ])
    expect(Object.keys(BASIC.tmpls[0] ?? {})).toEqual([
      'name', 'ord', 'qfmt', 'afmt', 'bqfmt', 'bafmt', 'did', 'bfont', 'bsize', 'id'
    ])
    expect({did: BASIC.did, sortf: BASIC.sortf, tags: BASIC.tags, vers: BASIC.vers, tmplDid: BASIC.tmpls[0]?.did})
      .toEqual({did: 1, sortf: 0, tags: [], vers: [], tmplDid: null})
    expect(CLOZE.css).toBe(BASIC.css)
  })

  test('the models map is keyed by id', () => {
    const models = modelsJson()
    expect(Object.keys(models)).toEqual([String(CLOZE_ID), String(BASIC_ID)])
    for (const [key, model] of Object.entries(models)) expect(key).toBe(String(model.id))
  })

  test('CSS styles night mode through classes, on the card or an ancestor', () => {
    for (const selector of ['.card.nightMode', '.card.night_mode', '.nightMode .card', '.night_mode .cloze', 'hr#answer', '.ref', 'pre', 'table', 'blockquote', 'img']) {
      expect(CSS).toContain(selector)
    }
    expect(CSS).not.toContain('prefers-color-scheme')
  })

  test('CSS colours every highlight.js token class it styles in light and in night mode', () => {
    // Rules of the form `.hljs-a, .hljs-b { color: …; }`, and the classes their night mode forms cover.
    const coloured = CSS.split('\n').filter((line) => line.startsWith('.hljs-') && / color: /.test(line))
    const light = coloured.flatMap((line) => [...line.matchAll(/\.hljs-([\w-]+)/g)].map((match) => match[1]))
    const nightRules = CSS.split('\n').filter((line) => line.startsWith('.nightMode .hljs-') && / color: /.test(line))
    const night = new Set(nightRules.flatMap((line) => [...line.matchAll(/\.nightMode \.hljs-([\w-]+)/g)].map((match) => match[1])))
    expect(light).toEqual(expect.arrayContaining(['keyword', 'string', 'comment', 'number', 'title', 'built_in']))
    for (const token of light) {
      expect(night.has(token), `.hljs-${token} has no night mode colour`).toBe(true)
      expect(CSS).toContain(`.night_mode .hljs-${token}`)
    }
    expect(CSS).toContain('.math {')
    expect(CSS).not.toMatch(/https?:|@import|url\(/)
  })
})

describe('decks and options', () => {
  test('a deck object has the full key set, desc included', () => {
    expect(deckObject({id: 5, name: 'A::B', description: ''})).toEqual({
      id: 5, name: 'A::B', conf: 1, desc: '', dyn: 0, usn: -1, mod: 1_704_067_200,
      collapsed: false, browserCollapsed: false, extendNew: 0, extendRev: 0,
      newToday: [0, 0], revToday: [0, 0], lrnToday: [0, 0], timeToday: [0, 0]
    })
    expect(DEFAULT_DECK).toMatchObject({id: 1, name: 'Default', usn: 0, desc: ''})
  })

  test('the decks map holds Default and the given decks', () => {
    expect(Object.keys(decksJson([{id: 1_600_000_000_100, name: 'A', description: 'x'}]))).toEqual(['1', '1600000000100'])
  })

  test('option group 1 has the legacy keys old clients need', () => {
    expect(DEFAULT_DECK_CONF).toMatchObject({id: 1, replayq: true, new: {separate: true, bury: false}, rev: {fuzz: 0.05, minSpace: 1, hardFactor: 1.2}})
  })

  test('collection settings: v2 scheduler, Basic preselected', () => {
    expect(collectionConf(4)).toMatchObject({schedVer: 2, curModel: BASIC_ID, nextPos: 4, sortBackwards: false})
  })
})

describe('schema', () => {
  test('five tables then seven indexes, in a fixed order', () => {
    const statements = schemaStatements()
    expect(statements.map((sql) => /^create (?:table|index) (\w+)/.exec(sql)?.[1])).toEqual([
      'col', 'notes', 'cards', 'revlog', 'graves',
      'ix_notes_usn', 'ix_cards_usn', 'ix_revlog_usn', 'ix_cards_nid', 'ix_cards_sched', 'ix_revlog_cid', 'ix_notes_csum'
    ])
    expect(statements[1]).toBe(
      'create table notes (id integer primary key, guid text not null, mid integer not null, mod integer not null, ' +
        'usn integer not null, tags text not null, flds text not null, sfld integer not null, csum integer not null, ' +
        'flags integer not null, data text not null)'
    )
    expect(statements[9]).toBe('create index ix_cards_sched on cards (did, queue, due)')
  })
})
