// The adversarial catalogue (tests/adversarial/<case>/): hostile and broken
// lectures built with the deckc command line. Each case has its exact,
// reviewed outcome; every package must pass the format check and hold no
// active content. Heavy cases run in `npm run test:heavy`.
import {execFile} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {activeContent, caseNames, catalogue, inputOf, readExpected, runCase, update, writeExpected} from './adversarial/harness.js'

describe('adversarial catalogue', () => {
  for (const name of caseNames()) {
    const expected = readExpected(name)
    if (expected.heavy) continue
    it(`${name}: ${expected.description}`, async () => {
      const outcome = await runCase(inputOf(name, expected))
      if (update) writeExpected(name, expected, outcome)
      expect(outcome.problems).toEqual([])
      expect({exit: outcome.exit, cards: outcome.cards, stderr: outcome.stderr}).toEqual({exit: expected.exit, cards: expected.cards, stderr: expected.stderr})
      expect(outcome.check).toEqual({exit: expected.exit, stderr: expected.stderr})
      // Everything here is small: a slow case means something went superlinear.
      expect(outcome.milliseconds).toBeLessThan(10_000)
    })
  }
})

describe('the catalogue through the real binary', () => {
  it('deckc check reads every small case at once: no crash, every message positioned', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'deckc-catalogue-'))
    mkdirSync(path.join(cwd, 'notes'))
    for (const name of caseNames()) {
      const expected = readExpected(name)
      if (expected.heavy) continue
      if (expected.generate) writeFileSync(path.join(cwd, `notes/${name}.md`), inputOf(name, expected))
      else copyFileSync(fileURLToPath(new URL(`${name}/input.md`, catalogue)), path.join(cwd, `notes/${name}.md`))
    }
    const bin = fileURLToPath(new URL('../bin/deckc.js', import.meta.url))
    const result = await new Promise<{code: number; stderr: string}>((resolve) => {
      execFile(process.execPath, [bin, 'check'], {cwd, env: {...process.env, SOURCE_DATE_EPOCH: '1790000000'}, maxBuffer: 1 << 26}, (error, _stdout, stderr) =>
        resolve({code: error ? Number(error.code) : 0, stderr})
      )
    })
    expect(result.code).toBe(1)
    for (const line of result.stderr.trimEnd().split('\n')) {
      expect(line).toMatch(/^notes\/[a-z0-9-]+\.md:\d+:\d+: (?:error|warning): .+ \[[a-z0-9-]+\]$/)
    }
  }, 30_000)
})

describe('the active-content check', () => {
  it('finds what a browser would run, load or hide', () => {
    expect(
      activeContent(
        '<p>a<script>x</script><a href=" JaVa\tscript:alert(1)">x</a><b onclick="x">y</b><img src="data:image/png;base64,xx"><div style="display:none">z</div><iframe></iframe></p>'
      )
    ).toEqual([
      'element <script>',
      'href=" JaVa\tscript:alert(1)" on <a>',
      'event handler onClick on <b>',
      'src="data:image/png;base64,xx" on <img>',
      'style attribute on <div>',
      'element <iframe>'
    ])
  })

  it('ignores markup in text and attribute values', () => {
    expect(activeContent('<code class="language-</div><iframe src=x>">&lt;script&gt;alert(1)&lt;/script&gt; javascript:x onclick=</code>')).toEqual([])
  })
})
