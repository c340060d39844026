/**
 * deckc's library API: compile lecture notes into Anki packages.
 *
 * ```ts
 * import {compile, pack} from 'deckc'
 * const [deck] = compile([{path: 'L1.md', value: '# L1\nWhat is 2+2?\n4'}], {clock: Date.now()})
 * if (deck?.collection) await writeFile('L1.apkg', await pack(deck.collection))
 * ```
 */
import {provideEngine} from './engine.js'
import * as engine from './rich.js'

// The library compiles synchronously, so the Markdown engine is loaded with it.
provideEngine(engine)

export {compile} from './compile.js'
export type {CompileOptions, CompiledDeck} from './compile.js'
export type {ParseOptions} from './parse.js'
export {report} from './report.js'
export {pack} from './anki/pack.js'
export type {Card, CardRecord, Collection, Deck, Lecture, Note, RenderedCard} from './types.js'
