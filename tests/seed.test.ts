// The user's own lecture, notes/L9-systems-for-ml.md, as it is.
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {lint} from '../src/anki/lint.js'
import {unpack} from '../src/anki/unpack.js'
import {compile, pack} from '../src/index.js'

const value = readFileSync(new URL('../notes/L9-systems-for-ml.md', import.meta.url))
const [deck] = compile([{path: 'notes/L9-systems-for-ml.md', value}], {clock: 1_790_000_000_000})

/** The fronts the user expects, in order. */
const fronts = [
  'What are the three stages of ML ecosystem?',
  'What performance metric is important for training?',
  'What performance metric is important for interference?',
  'What are the two parts of model development?',
  'What needs to be done in data part?',
  'What resource is the bottleneck for preprocessing data?',
  'Why do we care about performance of preprocessing?',
  'What needs to be done in model part?',
  'What are deep neural networks?',
  'What are the three steps of feature extraction and model search?',
  'What are the three steps of DNN training?',
  'What are the characteristics of DNN training?',
  'What is meant under error tolerance?',
  'How can be large training datasets be a problem? How is this solved?',
  'How is single-node training done for DNNs?',
  'What two types of parallelism can be achieved via distributed training?',
  'What is data parallelism?',
  'Common ways to implement data parallelism?',
  'What is model parallelism?'
]

function text(html: string): string {
  return html.replace(/<span class="ref">.*?<\/span>/g, '').replace(/<br>/g, ' ').replace(/<[^>]+>/g, '').trim()
}

describe('the seed lecture', () => {
  const notes = deck?.collection?.notes ?? []

  it('compiles without a message into its 19 cards, in order', () => {
    expect(deck?.file.messages).toEqual([])
    expect(deck?.deck).toBe('L9 - Systems for ML Flashcards')
    expect(notes.map((note) => text(note.fields[0] ?? ''))).toEqual(fronts)
    expect(deck?.collection?.cards.map((card) => card.due)).toEqual(fronts.map((_, index) => index + 1))
  })

  it('keeps the slide reference on the front', () => {
    expect(notes[0]?.fields[0]).toBe('What are the three stages of ML ecosystem? <span class="ref">(slide 4)</span>')
  })

  it('joins the two-line question with <br>', () => {
    expect(notes[13]?.fields[0]).toBe('How can be large training datasets be a problem?<br>How is this solved?')
    expect(notes[13]?.fields[1]).toBe(
      '<p><strong>problem:</strong> Data often does not fit in memory<br>\n<strong>solution:</strong> overlap data fetching and training computation</p>'
    )
  })

  it('ends a list at an unindented line instead of continuing the last bullet', () => {
    expect(notes[10]?.fields[1]).toBe(
      '<ul>\n<li>forward pass: compute activations and loss</li>\n<li>backward pass: compute gradients</li>\n<li>update model weights: to minimise loss</li>\n</ul>\n<p>there are iterated over the training dataset</p>'
    )
  })

  it('renders a label line, then the list under it', () => {
    expect(notes[4]?.fields[1]).toBe(
      '<p><strong>short:</strong> data collection, cleaning and visualisation</p>\n<ul>\n<li>identify sources of data</li>\n<li>join data from multiple sources</li>\n<li>clean data</li>\n<li>plot trends and anomalies</li>\n</ul>'
    )
  })

  it('packs into a package that passes every format check, byte-identically', async () => {
    if (!deck?.collection) throw new Error('no collection')
    const bytes = await pack(deck.collection)
    expect(Buffer.from(await pack(deck.collection)).equals(Buffer.from(bytes))).toBe(true)
    const pkg = await unpack(bytes)
    expect(lint(pkg)).toEqual([])
    expect(pkg.notes.length).toBe(19)
    expect(pkg.cards.length).toBe(19)
  })
})
