// Properties of the whole compiler, shared by the default suite (few runs)
// and the heavy suite (many): never crash, round trip, determinism.
import fc from 'fast-check'
import {expect} from 'vitest'
import {stripHtml} from '../../src/anki/checksum.js'
import {lint} from '../../src/anki/lint.js'
import {pack} from '../../src/anki/pack.js'
import {unpack} from '../../src/anki/unpack.js'
import {compile} from '../../src/compile.js'
import type {CompiledDeck} from '../../src/compile.js'
import type {Lecture} from '../../src/types.js'
import {activeContent} from '../adversarial/harness.js'

/** The build time of every property: the same inputs must give the same bytes. */
export const clock = 1_790_000_000_000

/** How long one case may take before it counts as a hang (milliseconds). */
export const caseBound = 5000

// ---------------------------------------------------------------------------
// Generators

/** Pieces of the note syntax, and of what breaks it, to build lines from. */
const inlinePiece = fc.oneof(
  {weight: 4, arbitrary: fc.constantFrom('cache', 'TLB', 'über', '日本語', 'x', 'a_b', 'naïve', '😀', 'e\u0301', 'مرحبا', '2 + 2', 'slide')},
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '*', '**', '_', '__', '~', '~~', '`', '``', '[', ']', '(', ')', '![', '](x.png)', '](https://example.com)', '{', '}',
      '<b>', '</b>', '<div>', '</div>', '<p>', '<br>', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>',
      '<a href="javascript:alert(1)">', '</a>', '<style>.card{display:none}</style>', '<iframe src=x>', '<!--', '-->',
      '$', '$$', '$x^2$', '\\', '\\?', '&amp;', '&#0;', '&', '<', '>', '{#id}', '{.reverse}', '{#}', '(slide 3)', '{{Front}}', '{{c1::',
      '}}', '<hr id=answer>', '?', ':', '|', '[^1]', '#', '\u0000', '\u2028', '\uFEFF', '\t', '\u00A0', '\uD800', 'www.example.com', 'a@b.c'
    )
  }
)
const lineContent = fc.tuple(fc.array(inlinePiece, {maxLength: 8}), fc.constantFrom(' ', '')).map(([pieces, glue]) => pieces.join(glue))
const linePrefix = fc.constantFrom(
  '', '', '', '- ', '* ', '+ ', '1. ', '  - ', '    - ', '    ', '> ', '> > ', '# ', '## ', '### ', '#### ', '```', '~~~', '```js', '```python',
  '$$', '---', '***', '| ', '|---|---|', '\t', 'short: ', 'note: ', '[^1]: ', '<div>', '===', '  '
)
const lineSuffix = fc.constantFrom('', '', '?', '?', '? (slide 3)', '? {#id}', '? {.reverse}', '? {bad}', '? (x) {#a #b}', '\\?', ' |', '```', '$$', '  ', ' #')

/** One line built from the syntax's pieces. */
export const markdownLine = fc.tuple(linePrefix, lineContent, lineSuffix).map(([prefix, content, suffix]) => prefix + content + suffix)

/** A lecture built from the syntax's pieces, with any line ending, sometimes front matter. */
export const markdownLecture = fc
  .tuple(
    fc.array(fc.oneof({weight: 6, arbitrary: markdownLine}, {weight: 1, arbitrary: fc.constant('')}), {maxLength: 40}),
    fc.constantFrom('\n', '\r\n', '\r'),
    fc.option(fc.constantFrom('---\ndeck: X\n---', '---\ntags: [a b]\n---', '---\ndescription: "*a* <script>x</script>"\n---', '---\n: bad\n---'), {nil: undefined})
  )
  .map(([lines, eol, front]) => [...(front ? [front] : []), ...lines].join(eol))

/** Any text, including lone surrogates and control characters. */
export const anyText = fc.oneof(fc.string({unit: 'binary', maxLength: 300}), fc.string({unit: 'grapheme', maxLength: 300}))

/** Any bytes: mostly not UTF-8. */
export const anyBytes = fc.uint8Array({maxLength: 400})

/** Plain text with Markdown formatting: what it should read as, and how it is written. */
interface Written {
  text: string
  markdown: string
}

const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éüßøç日本語中文한국'.split('')
const word = fc.string({unit: fc.constantFrom(...letters), minLength: 1, maxLength: 8})
const formattedWord = fc.oneof(
  {weight: 6, arbitrary: word.map((text): Written => ({text, markdown: text}))},
  {weight: 1, arbitrary: word.map((text): Written => ({text, markdown: `**${text}**`}))},
  {weight: 1, arbitrary: word.map((text): Written => ({text, markdown: `*${text}*`}))},
  {weight: 1, arbitrary: word.map((text): Written => ({text, markdown: `\`${text}\``}))},
  {weight: 1, arbitrary: word.map((text): Written => ({text, markdown: `~~${text}~~`}))}
)
const sentence = fc.array(formattedWord, {minLength: 1, maxLength: 7}).map(
  (words): Written => ({text: words.map((item) => item.text).join(' '), markdown: words.map((item) => item.markdown).join(' ')})
)

/** One answer line in the user's style. */
const answerLine = fc.oneof(
  {weight: 4, arbitrary: sentence},
  {weight: 3, arbitrary: sentence.map((line): Written => ({text: line.text, markdown: `- ${line.markdown}`}))},
  {weight: 1, arbitrary: sentence.map((line): Written => ({text: line.text, markdown: `  - ${line.markdown}`}))},
  {weight: 1, arbitrary: sentence.map((line): Written => ({text: line.text, markdown: `1. ${line.markdown}`}))},
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('short', 'note', 'problem', 'solution', 'e.g'), sentence)
      .map(([label, line]): Written => ({text: `${label}: ${line.text}`, markdown: `${label}: ${line.markdown}`}))
  }
)

/** A card as the user writes it: one or two question lines, maybe a reference, answer lines. */
export interface GeneratedCard {
  questions: Written[]
  reference: string | undefined
  answer: Written[]
}

const card = fc.record({
  questions: fc.array(sentence.map((line): Written => ({text: `${line.text}?`, markdown: `${line.markdown}?`})), {minLength: 1, maxLength: 2}),
  reference: fc.option(fc.integer({min: 1, max: 99}).map((slide) => `(slide ${slide})`), {nil: undefined}),
  answer: fc.array(answerLine, {minLength: 1, maxLength: 6})
})

/** What makes two questions the same card: case and spacing do not count. */
const identity = (item: GeneratedCard) => item.questions.map((line) => line.text).join(' ').normalize('NFC').toLowerCase()

/** Lists of cards with distinct questions. */
export const cardLists = fc.uniqueArray(card, {minLength: 1, maxLength: 12, selector: identity})

/** A lecture in the user's style holding these cards. */
export function writeLecture(cards: GeneratedCard[]): string {
  const lines = ['Generated Lecture']
  for (const item of cards) {
    for (const [index, question] of item.questions.entries()) {
      const last = index === item.questions.length - 1
      lines.push(last && item.reference ? `${question.markdown} ${item.reference}` : question.markdown)
    }
    // A bullet nested under nothing would be a code block or a paragraph: only after a bullet.
    let previousBullet = false
    for (const line of item.answer) {
      const nested = line.markdown.startsWith('  - ')
      lines.push(nested && !previousBullet ? line.markdown.trimStart() : line.markdown)
      previousBullet = line.markdown.trimStart().startsWith('- ')
    }
  }
  return `${lines.join('\n')}\n`
}

// ---------------------------------------------------------------------------
// Checks

/** Field HTML as plain text: block tags and line breaks are word breaks, entities decoded, spacing collapsed. */
export function plain(html: string): string {
  return stripHtml(html.replace(/<\/?(?:br|p|li|ul|ol|div|hr)\b[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim()
    .normalize('NFC')
}

/** Time one compile, failing the case when it takes longer than `caseBound`. */
export function timedCompile(lectures: Lecture[]): CompiledDeck[] {
  const started = performance.now()
  const decks = compile(lectures, {clock})
  const elapsed = performance.now() - started
  expect(elapsed, `compile took ${Math.round(elapsed)} ms`).toBeLessThan(caseBound)
  return decks
}

/**
 * A compiled deck is sound: every message is positioned and has a rule; a
 * deck has a collection exactly when it has no error; a collection packs
 * into a package that reads back without a format violation or active
 * content.
 */
export async function expectSound(deck: CompiledDeck): Promise<void> {
  for (const message of deck.file.messages) {
    expect(message.line, String(message)).toBeGreaterThanOrEqual(1)
    expect(message.column, String(message)).toBeGreaterThanOrEqual(1)
    expect(message.ruleId, String(message)).toMatch(/^[a-z]+(?:-[a-z0-9]+)*$/)
  }
  const fatal = deck.file.messages.some((message) => message.fatal)
  expect(deck.collection === undefined, deck.file.messages.map(String).join('\n')).toBe(fatal)
  if (!deck.collection) return
  const bytes = await pack(deck.collection)
  const pkg = await unpack(bytes)
  expect(lint(pkg)).toEqual([])
  for (const note of pkg.notes) expect(activeContent(String(note.values['flds'] ?? ''))).toEqual([])
  expect(pkg.cards.length).toBe(deck.collection.cards.length)
}

/**
 * Run a property with a bounded number of runs and overall time. The default
 * suite passes a fixed seed (the same cases every run; `FC_SEED` overrides
 * it); the heavy suite explores with a random one.
 */
export async function check<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>, options: {runs: number; seconds: number; seed?: number}): Promise<void> {
  const seed = process.env['FC_SEED'] === undefined ? options.seed : Number(process.env['FC_SEED'])
  await fc.assert(fc.asyncProperty(arbitrary, predicate), {
    ...(seed === undefined ? {} : {seed}),
    numRuns: options.runs,
    interruptAfterTimeLimit: options.seconds * 1000,
    // A case that hangs on the event loop fails instead of stalling the run.
    timeout: caseBound * 2
  })
}

/** Never crash on a lecture: sound decks, for every lecture of the build. */
export async function neverCrash(lectures: Lecture[]): Promise<void> {
  const decks = timedCompile(lectures)
  expect(decks.length).toBe(lectures.length)
  for (const deck of decks) await expectSound(deck)
}

/** The cards written come back, in order, with the same text. */
export async function roundTrip(cards: GeneratedCard[]): Promise<void> {
  const source = writeLecture(cards)
  const [deck] = timedCompile([{path: 'notes/generated.md', value: source}])
  if (!deck) throw new Error('no deck')
  expect(deck.file.messages.map(String), source).toEqual([])
  await expectSound(deck)
  const notes = deck.collection?.notes ?? []
  const actual = notes.map((note) => ({front: plain(note.fields[0] ?? ''), back: plain(note.fields[1] ?? '')}))
  const expected = cards.map((item) => ({
    front: plain([...item.questions.map((line) => line.text), ...(item.reference ? [item.reference] : [])].join(' ')),
    back: plain(item.answer.map((line) => line.text).join(' '))
  }))
  expect(actual, source).toEqual(expected)
}

/** The same lecture compiled and packed twice gives the same bytes. */
export async function deterministic(source: string): Promise<void> {
  const build = async () => {
    const [deck] = timedCompile([{path: 'notes/lecture.md', value: source}])
    return deck?.collection ? Buffer.from(await pack(deck.collection)) : undefined
  }
  const first = await build()
  const second = await build()
  expect(second === undefined ? undefined : second.equals(first ?? Buffer.alloc(0))).toBe(first === undefined ? undefined : true)
}
