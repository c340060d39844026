// The floor: what writing N cards as packages costs with sql.js + jszip and
// nothing else. No Markdown, no validation, no rendering: pre-rendered short
// HTML fields go straight into a minimal schema-11 collection (the five
// tables and seven indexes of a real one, one `col` row, one note and one
// card per card), inserted in one transaction with prepared statements,
// exported, zipped with STORE and written, one package per lecture file like
// the CLI. Reuses nothing from src/.
//
//   node bench/floor.js CARDS [FILES] [OUT_DIR]
//
// FILES defaults to 1; without OUT_DIR the packages are built but not written.
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import JSZip from 'jszip'
import initSqlJs from 'sql.js'

const [cardsArg, filesArg = '1', out] = process.argv.slice(2)
const cards = Number(cardsArg)
const files = Number(filesArg)
if (!Number.isSafeInteger(cards) || cards < 1 || !Number.isSafeInteger(files) || files < 1) {
  process.stderr.write('Usage: node bench/floor.js CARDS [FILES] [OUT_DIR]\n')
  process.exit(2)
}

const schema = `
create table col (id integer primary key, crt integer not null, mod integer not null, scm integer not null, ver integer not null, dty integer not null, usn integer not null, ls integer not null, conf text not null, models text not null, decks text not null, dconf text not null, tags text not null);
create table notes (id integer primary key, guid text not null, mid integer not null, mod integer not null, usn integer not null, tags text not null, flds text not null, sfld integer not null, csum integer not null, flags integer not null, data text not null);
create table cards (id integer primary key, nid integer not null, did integer not null, ord integer not null, mod integer not null, usn integer not null, type integer not null, queue integer not null, due integer not null, ivl integer not null, factor integer not null, reps integer not null, lapses integer not null, left integer not null, odue integer not null, odid integer not null, flags integer not null, data text not null);
create table revlog (id integer primary key, cid integer not null, usn integer not null, ease integer not null, ivl integer not null, lastIvl integer not null, factor integer not null, time integer not null, type integer not null);
create table graves (usn integer not null, oid integer not null, type integer not null);
create index ix_notes_usn on notes (usn);
create index ix_cards_usn on cards (usn);
create index ix_revlog_usn on revlog (usn);
create index ix_cards_nid on cards (nid);
create index ix_cards_sched on cards (did, queue, due);
create index ix_revlog_cid on revlog (cid);
create index ix_notes_csum on notes (csum);
`

// A minimal model and deck: enough JSON to be a plausible `col` row.
const models = JSON.stringify({
  1700000000000: {id: 1700000000000, name: 'Basic', type: 0, mod: 0, usn: -1, sortf: 0, did: 2, tmpls: [{name: 'Card 1', ord: 0, qfmt: '{{Front}}', afmt: '{{FrontSide}}<hr id=answer>{{Back}}'}], flds: [{name: 'Front', ord: 0}, {name: 'Back', ord: 1}, {name: 'Reverse', ord: 2}], css: '.card {}', latexPre: '', latexPost: '', req: [[0, 'any', [0]]]}
})
const dconf = JSON.stringify({1: {id: 1, name: 'Default', new: {perDay: 20}, rev: {perDay: 200}}})
const date = new Date(Date.UTC(1980, 0, 1))
const clock = 1_704_067_200

const SQL = await initSqlJs()
if (out) mkdirSync(out, {recursive: true})

const base = Math.floor(cards / files)
let next = 1_600_000_000_000
for (let file = 0; file < files; file++) {
  const count = base + (file < cards % files ? 1 : 0)
  const did = 2 + file
  const db = new SQL.Database()
  db.run('pragma page_size = 4096')
  db.exec('pragma journal_mode = delete')
  db.exec(schema)
  db.run('begin')
  db.run('insert into col values (1, ?, ?, ?, 11, 0, 0, 0, ?, ?, ?, ?, ?)', [
    clock, clock * 1000, clock * 1000, '{}', models,
    JSON.stringify({[did]: {id: did, name: `Floor ${file + 1}`, desc: '', dyn: 0, conf: 1}}), dconf, '{}'
  ])
  const note = db.prepare('insert into notes values (?, ?, ?, ?, -1, ?, ?, ?, ?, 0, ?)')
  const card = db.prepare('insert into cards values (?, ?, ?, 0, ?, -1, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, ?)')
  for (let i = 0; i < count; i++) {
    const id = next
    next += 1000
    // Pre-rendered fields about the size of the corpus's rendered cards.
    const front = `What is concept ${i} of lecture ${file + 1}? <span class="ref">(slide ${i})</span>`
    const back = `<ul>\n<li>first point about concept ${i}</li>\n<li>second point with <code>code</code></li>\n</ul>\n<p>detail ${i}</p>`
    note.run([id, `g${file}-${i}`, 1700000000000, clock, '', `${front}\u001F${back}\u001F`, front, i, ''])
    card.run([id, id, did, clock, i + 1, ''])
  }
  note.free()
  card.free()
  db.run('commit')
  const database = db.export()
  db.close()

  const zip = new JSZip()
  zip.file('collection.anki2', database, {date, binary: true})
  zip.file('media', '{}', {date})
  const bytes = await zip.generateAsync({type: 'uint8array', compression: 'STORE', platform: 'DOS'})
  if (out) writeFileSync(path.join(out, `floor-${String(file + 1).padStart(4, '0')}.apkg`), bytes)
}
