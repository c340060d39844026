import {VFile} from 'vfile'
import {describe, expect, it} from 'vitest'
import type {Environment} from '../src/cli/environment.js'
import {printResult} from '../src/cli/output.js'
import {progress} from '../src/cli/progress.js'

function environment(terminal: boolean, env: Record<string, string> = {}) {
  const out = {stdout: '', stderr: ''}
  const value: Environment = {cwd: '/', env, terminal, stdout: (text) => (out.stdout += text), stderr: (text) => (out.stderr += text)}
  return {value, out}
}

function result() {
  const file = new VFile({path: 'notes/a.md'})
  file.message('Bad', {place: {line: 2, column: 1}, ruleId: 'missing-answer'}).fatal = true
  return {json: false, check: false, outcomes: [], bundled: undefined, files: [file], stale: [], notices: []}
}

describe('messages on a terminal', () => {
  it('are coloured on a terminal', () => {
    const {value, out} = environment(true)
    printResult(value, result())
    expect(out.stderr).toBe('notes/a.md:2:1: \u001B[31merror\u001B[39m: Bad [missing-answer]\n')
  })
  it('are plain with NO_COLOR or off a terminal', () => {
    for (const {value, out} of [environment(true, {NO_COLOR: '1'}), environment(false)]) {
      printResult(value, result())
      expect(out.stderr).toBe('notes/a.md:2:1: error: Bad [missing-answer]\n')
    }
  })
})

describe('progress', () => {
  it('stays quiet off a terminal and in the first second', () => {
    const quiet = environment(false)
    const bar = progress(quiet.value)
    bar.update('compiling', 1, 2)
    bar.end()
    const early = environment(true)
    progress(early.value).update('compiling', 1, 2)
    expect(quiet.out.stderr + early.out.stderr).toBe('')
  })
})
