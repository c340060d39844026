import type JSZip from 'jszip'
import type {Database} from 'sql.js'
import {beforeAll, describe, expect, test} from 'vitest'
import {CLOZE_ID} from '../../src/anki/format.js'
import {lint, LINT_RULES} from '../../src/anki/lint.js'
import type {Violation} from '../../src/anki/lint.js'
import {pack} from '../../src/anki/pack.js'
import {unpack} from '../../src/anki/unpack.js'
import type {UnpackedPackage} from '../../src/anki/unpack.js'
import {BERLIN, BOND, CHILD, editColJson, FRANCE, fixture, modify} from './fixture.js'

let good: Uint8Array

beforeAll(async () => {
  good = await pack(fixture())
})

/** Lints the fixture package after `edit` changed its database (and `editZip` its zip). */
async function lintModified(edit: (db: Database) => void, editZip?: (zip: JSZip) => void): Promise<Violation[]> {
  return lint(await unpack(await modify(good, edit, editZip)))
}

const rules = (violations: Violation[]): string[] => [...new Set(violations.map((found) => found.rule))].sort()

describe('lint', () => {
  test('the unmodified fixture is clean, even after a round trip through modify', async () => {
    expect(await lintModified(() => {})).toEqual([])
  })

  test('every rule id it reports is documented', async () => {
    const found = await lintModified((db) => {
      db.run('update notes set csum = 0, mod = mod * 1000')
      db.run('delete from cards where ord = 1')
    })
    for (const violation of found) expect(Object.keys(LINT_RULES)).toContain(violation.rule)
  })
})

describe('lint catches hand-broken packages', () => {
  test('wrong csum', async () => {
    const found = await lintModified((db) => db.run('update notes set csum = csum + 1 where id = ?', [FRANCE.id]))
    expect(found).toEqual([
      {rule: 'note-csum', message: expect.stringContaining(`note ${FRANCE.id}: csum`) as string}
    ])
  })

  test('wrong sfld', async () => {
    const found = await lintModified((db) => db.run(`update notes set sfld = 'Capital' where id = ?`, [FRANCE.id]))
    expect(rules(found)).toEqual(['note-sfld'])
  })

  test('duplicate guid', async () => {
    const found = await lintModified((db) => db.run(`update notes set guid = 'same'`))
    expect(found.map((violation) => violation.rule)).toEqual(['note-guid-duplicate', 'note-guid-duplicate'])
  })

  test('missing deck desc', async () => {
    const found = await lintModified((db) =>
      editColJson(db, 'decks', (decks) => {
        delete decks[String(CHILD.id)]?.['desc']
      })
    )
    expect(found).toEqual([{rule: 'deck-key', message: `deck ${CHILD.id} lacks desc`}])
  })

  test('REAL in notes.mod', async () => {
    const found = await lintModified((db) => db.run('update notes set mod = mod + 0.5 where id = ?', [BOND.id]))
    expect(rules(found)).toEqual(['column-type', 'note-mod'])
    expect(found[0]?.message).toBe(`notes.mod of row ${BOND.id} is real, expected integer`)
  })

  test('an integral REAL becomes an integer through the column affinity, so it is fine (§2.1)', async () => {
    const found = await lintModified((db) => db.run('update notes set mod = cast(mod as real) where id = ?', [BOND.id]))
    expect(found).toEqual([])
  })

  test('fields stored as a BLOB', async () => {
    const found = await lintModified((db) => db.run('update notes set flds = cast(flds as blob) where id = ?', [BOND.id]))
    expect(found.map((violation) => violation.rule)).toContain('column-type')
  })

  test('card in deck 1', async () => {
    const found = await lintModified((db) => db.run('update cards set did = 1 where id = ?', [FRANCE.id]))
    expect(rules(found)).toEqual(['card-default-deck'])
  })

  test('card in a deck that does not exist', async () => {
    const found = await lintModified((db) => db.run('update cards set did = 42 where id = ?', [FRANCE.id]))
    expect(rules(found)).toEqual(['card-did'])
  })

  test('missing card', async () => {
    const found = await lintModified((db) => db.run('delete from cards where id = ?', [BOND.id + 1]))
    expect(found).toEqual([{rule: 'card-missing', message: `note ${BOND.id}: no card for ord 1`}])
  })

  test('extra card: a reverse card without the Reverse flag', async () => {
    const found = await lintModified((db) => {
      db.run(`insert into cards select id + 1, nid, did, 1, mod, usn, type, queue, due, ivl, factor, reps, lapses, left,
        odue, odid, flags, data from cards where id = ?`, [FRANCE.id])
    })
    expect(found).toEqual([
      {rule: 'card-ord', message: `note ${FRANCE.id}: card ${FRANCE.id + 1} has ord 1, but its question would be empty`}
    ])
  })

  test('cloze card without its deletion, and a deletion only in Extra', async () => {
    const found = await lintModified((db) => {
      db.run(`update notes set flds = ? where id = ?`, ['{{c1::Berlin}} is a capital\u001F{{c3::x}}', BERLIN.id])
      db.run(`update notes set sfld = ?, csum = ? where id = ?`, ['{{c1::Berlin}} is a capital', 0, BERLIN.id])
    })
    expect(rules(found)).toEqual(['card-ord', 'cloze-outside-field', 'note-csum'])
  })

  test('cards of a note with different due values, and a scheduled card', async () => {
    const found = await lintModified((db) => db.run('update cards set due = 9, queue = -1 where id = ?', [BOND.id + 1]))
    expect(rules(found)).toEqual(['card-due-shared', 'card-new'])
  })

  test('mod in milliseconds', async () => {
    const found = await lintModified((db) => db.run('update notes set mod = mod * 1000'))
    expect(rules(found)).toEqual(['note-mod'])
    expect(found).toHaveLength(3)
  })

  test('unpadded tags', async () => {
    const found = await lintModified((db) => db.run(`update notes set tags = 'geo europe' where id = ?`, [FRANCE.id]))
    expect(rules(found)).toEqual(['note-tags'])
  })

  test('a field with a control character', async () => {
    const found = await lintModified((db) =>
      db.run(`update notes set flds = ? where id = ?`, ['<b>007</b>\u001FJames\u0001Bond\u001Fy', BOND.id])
    )
    expect(rules(found)).toEqual(['note-control-char'])
  })

  test('a forbidden table and a non-schema-11 version', async () => {
    const found = await lintModified((db) => {
      db.run('create table tags (tag text)')
      db.run('update col set ver = 18')
    })
    expect(rules(found)).toEqual(['col-ver', 'schema-forbidden'])
  })

  test('a missing table and index', async () => {
    const found = await lintModified((db) => db.run('drop table graves; drop index ix_notes_csum'))
    expect(rules(found)).toEqual(['schema-index', 'schema-table'])
  })

  test('media key without entry', async () => {
    const found = await lintModified(
      () => {},
      (zip) => zip.remove('1')
    )
    expect(found).toEqual([{rule: 'media-entry', message: 'media key "1" has no zip entry'}])
  })

  test('media map problems: missing entry, path names, non-canonical keys', async () => {
    expect(rules(await lintModified(() => {}, (zip) => zip.remove('media')))).toEqual(['media-missing', 'zip-unexpected-entry'])
    const found = await lintModified(
      () => {},
      (zip) => {
        zip.file('media', JSON.stringify({'0': '../flag.png', '01': 'map.png', '1': 'map.png'}))
        zip.file('01', 'x')
      }
    )
    expect(rules(found)).toEqual(['media-key', 'media-name', 'media-name-duplicate'])
  })

  test('zip with meta and both collection entries', async () => {
    const found = await lintModified(
      () => {},
      (zip) => {
        zip.file('meta', new Uint8Array([0x08, 0x01]))
        zip.file('collection.anki21', 'unused')
      }
    )
    expect(rules(found)).toEqual(['zip-both-collections', 'zip-meta'])
  })
})

describe('lint catches broken JSON', () => {
  let pkg: UnpackedPackage

  beforeAll(async () => {
    pkg = await unpack(good)
  })

  /** A copy of the fixture package whose `col` JSON column was replaced. */
  function withJson(column: 'models' | 'decks' | 'dconf', change: (value: Record<string, Record<string, unknown>>) => void): UnpackedPackage {
    const copy = structuredClone(pkg)
    const json = copy.json?.[column]
    if (!json?.ok) throw new Error('fixture JSON does not parse')
    change(json.value as Record<string, Record<string, unknown>>)
    return copy
  }

  test('a template without a name, a field without sticky', () => {
    const found = lint(
      withJson('models', (models) => {
        const cloze = models[String(CLOZE_ID)] as {tmpls: Array<Record<string, unknown>>; flds: Array<Record<string, unknown>>}
        delete cloze.tmpls[0]?.['name']
        delete cloze.flds[1]?.['sticky']
      })
    )
    expect(rules(found)).toEqual(['notetype-key', 'notetype-templates'])
    expect(found.map((violation) => violation.message)).toContain(`note type ${CLOZE_ID} field 1 lacks sticky`)
  })

  test('a map key different from the id, a float mod, a wrong req', () => {
    const found = lint(
      withJson('models', (models) => {
        const cloze = models[String(CLOZE_ID)] ?? {}
        cloze['id'] = 7
        cloze['mod'] = 1.5
        const basic = Object.values(models).find((model) => model['type'] === 0) ?? {}
        basic['req'] = [[0, 'all', [0]], [1, 'all', [1]]]
      })
    )
    expect(rules(found)).toEqual(['notetype-id', 'notetype-mod', 'notetype-req'])
  })

  test('a cloze note type without a cloze filter', () => {
    const found = lint(
      withJson('models', (models) => {
        const cloze = models[String(CLOZE_ID)] as {tmpls: Array<Record<string, unknown>>}
        if (cloze.tmpls[0]) cloze.tmpls[0]['qfmt'] = '{{Text}}'
      })
    )
    expect(rules(found)).toContain('notetype-cloze')
  })

  test('a deck whose options group is missing, and no Default deck', () => {
    const found = lint(
      withJson('decks', (decks) => {
        delete decks['1']
        const child = decks[String(CHILD.id)]
        if (child) child['conf'] = 2
      })
    )
    expect(rules(found)).toEqual(['deck-conf', 'deck-default'])
  })

  test('an option group without its legacy and required keys', () => {
    const found = lint(
      withJson('dconf', (dconf) => {
        const group = dconf['1'] as {new: Record<string, unknown>; rev: Record<string, unknown>}
        delete group.new['separate']
        delete group.rev['maxIvl']
      })
    )
    expect(found).toEqual([
      {rule: 'dconf-key', message: 'option group 1.rev lacks maxIvl'},
      {rule: 'dconf-legacy-key', message: 'option group 1.new lacks separate'}
    ])
  })

  test('a notetype JSON that does not parse', () => {
    const copy = structuredClone(pkg)
    if (copy.json) copy.json.models = {text: '{', ok: false, error: 'Unexpected end of JSON input'}
    const found = lint(copy)
    expect(rules(found)).toEqual(['col-json', 'note-mid'])
  })
})
