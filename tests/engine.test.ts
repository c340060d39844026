// The CLI loads the Markdown engine only when a lecture needs it: plain
// lectures compile without it, anything richer asks for it, and `whenLoaded`
// gives the same result either way.
import {describe, expect, it, vi} from 'vitest'

const clock = 1_790_000_000_000
const plain = 'L1 - Plain\nWhat are the stages?\n- one\n- two\nshort: three\nWhy?\nbecause'
const rich = 'L2 - Rich\nWhat is *this*?\n`code` and $x^2$'
const frontMatter = '---\ntags: [a]\n---\nL3\nWhat?\nthat'

/** compile.js and engine.js as a fresh process has them: no engine provided. */
async function fresh() {
  vi.resetModules()
  const {compile} = await import('../src/compile.js')
  const engine = await import('../src/engine.js')
  return {compile, ...engine}
}

describe('loading the Markdown engine on demand', () => {
  it('compiles plain lectures without it', async () => {
    const {compile} = await fresh()
    const [deck] = compile([{path: 'l1.md', value: plain}], {clock})
    expect(deck?.deck).toBe('L1 - Plain')
    expect(deck?.collection?.notes.map((note) => note.fields[1])).toEqual(['<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<p><strong>short:</strong> three</p>', '<p>because</p>'])
  })

  it.each([
    ['Markdown', rich],
    ['front matter', frontMatter]
  ])('asks for it when a lecture has %s, and whenLoaded compiles it as the library does', async (_, value) => {
    const {compile, EngineNotLoaded, whenLoaded} = await fresh()
    const lectures = [
      {path: 'l1.md', value: plain},
      {path: 'l2.md', value}
    ]
    expect(() => compile(lectures, {clock})).toThrow(EngineNotLoaded)
    const loaded = await whenLoaded(() => compile(lectures, {clock}))
    vi.resetModules()
    const library = await import('../src/index.js')
    const expected = library.compile(lectures, {clock})
    expect(loaded.map((deck) => [deck.deck, deck.collection, deck.file.messages.map(String)])).toEqual(expected.map((deck) => [deck.deck, deck.collection, deck.file.messages.map(String)]))
    expect(loaded[1]?.collection?.notes.length).toBe(1)
  })
})
