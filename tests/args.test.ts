import {describe, expect, it} from 'vitest'
import {parseArguments} from '../src/cli/args.js'

describe('parseArguments', () => {
  it('defaults to notes/ and dist/', () => {
    expect(parseArguments(['build'])).toEqual({command: 'build', paths: ['notes'], out: 'dist'})
  })
  it('takes paths and --out in any order', () => {
    expect(parseArguments(['check', 'a', '--out', 'o', 'b.md'])).toEqual({command: 'check', paths: ['a', 'b.md'], out: 'o'})
  })
  it('shows help without a command', () => {
    expect(parseArguments([])).toEqual({command: 'help'})
    expect(parseArguments(['build', '-h'])).toEqual({command: 'help'})
  })
  it('rejects unknown options and commands', () => {
    expect(parseArguments(['build', '--nope'])).toMatchObject({command: 'usage-error'})
    expect(parseArguments(['make'])).toEqual({command: 'usage-error', message: "Unknown command 'make'; expected 'build' or 'check'"})
  })
})
