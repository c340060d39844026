/**
 * Note guids: Anki's base-91 text form of a 64-bit number (anki-apkg-format.md
 * §5.2), derived here from a stable key instead of randomness.
 */
import {hash} from 'node:crypto'

/**
 * Anki's guid alphabet: printable ASCII without space, `"`, `'` and `\`, in
 * this order (ankitects/anki pylib/anki/utils.py `guid64`; genanki `BASE91_TABLE`).
 */
const ALPHABET =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~'

const BASE = BigInt(ALPHABET.length)

/**
 * Writes a number in Anki's base 91, most significant digit first.
 *
 * @param value A non-negative integer; 64-bit values give at most 10 characters.
 * @returns The digits; `0n` gives `""`, as in Anki and genanki.
 */
export function base91(value: bigint): string {
  if (value < 0n) throw new RangeError(`base91: expected a non-negative value, got ${value}`)
  let digits = ''
  let rest = value
  while (rest > 0n) {
    digits = ALPHABET.charAt(Number(rest % BASE)) + digits
    rest /= BASE
  }
  return digits
}

/**
 * A guid for a stable key: base 91 of the first 8 bytes of SHA-256(key) read
 * as a big-endian unsigned 64-bit integer — genanki's `guid_for` when the key
 * is its fields joined by `__`.
 *
 * @param key A stable, namespaced note identity (never content, time or randomness).
 */
export function guidFromKey(key: string): string {
  const digest = hash('sha256', key, 'buffer')
  return base91(digest.readBigUInt64BE(0))
}
