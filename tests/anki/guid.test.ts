import {describe, expect, test} from 'vitest'
import {base91, guidFromKey} from '../../src/anki/guid.js'

describe('base91', () => {
  test.each([
    [0n, ''],
    [1n, 'b'],
    [90n, '~'],
    [91n, 'ba'],
    [91n * 91n - 1n, '~~']
  ])('%s → %j', (value, digits) => {
    expect(base91(value)).toBe(digits)
  })

  test('a 64-bit value has at most 10 digits', () => {
    expect(base91(2n ** 64n - 1n)).toHaveLength(10)
  })

  test('rejects negative values', () => {
    expect(() => base91(-1n)).toThrow(RangeError)
  })
})

describe('guidFromKey', () => {
  test("matches genanki's guid_for('Capital of France?', 'Paris')", () => {
    expect(guidFromKey('Capital of France?__Paris')).toBe('xlQ`^eZgt3')
  })

  test('is stable and key-sensitive', () => {
    expect(guidFromKey('deckc:a')).toBe(guidFromKey('deckc:a'))
    expect(guidFromKey('deckc:a')).not.toBe(guidFromKey('deckc:b'))
  })
})
