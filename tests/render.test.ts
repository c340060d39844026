// The shortcuts in rendering's last steps, and in comparing questions, must answer as their definitions do.
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {normalize} from '../src/match.js'
import {clean, showsNothing, showsNothingByDefinition} from '../src/render.js'

/** Field HTML from pieces that decide the answer: tags, entities, white space of every kind, text. */
const piece = fc.constantFrom(
  '<p>', '</p>', '<br>', '<img src="a.png">', '<IMG\tsrc=x>', '<imgx>', '<!-- c -->', '<', '>', '<b', 'b>', '&nbsp;', '&nb', 'sp;', '&', '&amp;', 'nbsp;',
  ' ', '\n', '\t', '\r', '\u00A0', '\u2003', '\u3000', '\uFEFF', '\u200B', '\u0085', 'x', 'é', '日', '😀', '0'
)
const html = fc.array(piece, {maxLength: 12}).map((pieces) => pieces.join(''))

describe('showsNothing', () => {
  it('answers as its definition (tags removed, then `&nbsp;` and white space)', () => {
    fc.assert(fc.property(html, (text) => showsNothing(text) === showsNothingByDefinition(text)), {numRuns: 3000})
  })

  it('knows fields that show nothing and fields that show something', () => {
    expect(['', '<p></p>', ' <br>\n', '<p>&nbsp;</p>', '&nb<b>sp;', '<!-- x -->\u00A0'].map(showsNothing)).toEqual([true, true, true, true, true, true])
    expect(['x', '<p>a</p>', '<img src="a.png">', '<p', '&amp;', '\u200B'].map(showsNothing)).toEqual([false, false, false, false, false, false])
  })
})

describe('clean', () => {
  it('gives NFC without control characters other than tab and newline, as before its shortcut', () => {
    const text = fc.array(fc.oneof(piece, fc.constantFrom('e\u0301', '\u0000', '\u0008', '\u000B', '\u001F', '\u007F', '\u212B', 'A\u030A', '~')), {maxLength: 12}).map((pieces) => pieces.join(''))
    // eslint-disable-next-line no-control-regex
    fc.assert(fc.property(text, (value) => clean(value) === value.normalize('NFC').replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '')), {numRuns: 3000})
    expect(clean('e\u0301\r\n\t')).toBe('é\n\t')
  })
})

describe('normalize', () => {
  it('gives NFC, lower case, one space for each run of white space, trimmed, as before its shortcut', () => {
    const text = fc.array(fc.constantFrom('What', 'IS', ' ', '  ', '\t', '\n', '\u00A0', '\u2003', 'e\u0301', 'É', 'ǅ', 'İ', '?', '~', 'x', '\u007F', '\u0000'), {maxLength: 10}).map((pieces) => pieces.join(''))
    fc.assert(fc.property(text, (value) => normalize(value) === value.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim()), {numRuns: 3000})
    expect(normalize('  What  is\tA? ')).toBe('what is a?')
  })
})
