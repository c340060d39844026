import {describe, expect, it} from 'vitest'
import {parseArguments} from '../src/cli/args.js'

describe('parseArguments', () => {
  it('leaves paths and output folder to the configuration or the defaults', () => {
    expect(parseArguments(['build'])).toEqual({command: 'build', paths: [], out: undefined, check: false, json: false, bundle: undefined, watch: false, cache: true})
  })
  it('takes paths and options in any order', () => {
    expect(parseArguments(['build', 'a', '--out', 'o', 'b.md', '--check', '--json', '--bundle', 'all'])).toEqual({
      command: 'build',
      paths: ['a', 'b.md'],
      out: 'o',
      check: true,
      json: true,
      bundle: 'all',
      watch: false,
      cache: true
    })
    expect(parseArguments(['build', '--no-cache'])).toMatchObject({command: 'build', cache: false})
    expect(parseArguments(['build', '--watch'])).toMatchObject({command: 'build', watch: true})
    expect(parseArguments(['build', '--watch', '--check'])).toMatchObject({command: 'usage-error'})
    expect(parseArguments(['check', 'a', '--json'])).toEqual({command: 'check', paths: ['a'], json: true})
  })
  it('shows help without a command', () => {
    expect(parseArguments([])).toEqual({command: 'help'})
    expect(parseArguments(['build', '-h'])).toEqual({command: 'help'})
  })
  it('rejects unknown options and commands, and options of another command', () => {
    expect(parseArguments(['build', '--nope'])).toMatchObject({command: 'usage-error'})
    expect(parseArguments(['make'])).toEqual({command: 'usage-error', message: "Unknown command 'make'; expected one of: build, check, preview, inspect, lint"})
    expect(parseArguments(['check', '--out', 'x'])).toEqual({command: 'usage-error', message: "Option '--out' does not apply to 'check'"})
  })
})
