// Builds killed at random moments and run concurrently, many times over
// (the default suite does each a few times). Run with `npm run test:heavy`.
import {readFileSync, utimesSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {busyProject, expectOnlyValidPackages, killBuildWhen, leftovers, spawnBuild} from '../process.js'

const kills = Number(process.env['KILLS'] ?? 20)

describe('deckc build killed at random moments', () => {
  it(`leaves only valid packages and temporary files, ${kills} times`, async () => {
    const cwd = busyProject(16, 40)
    let midWrite = 0
    for (let round = 0; round < kills; round++) {
      const events = 1 + Math.floor(Math.random() * 40)
      // Half the rounds are killed on a temporary file appearing (mid-write), half after some writes.
      await killBuildWhen(cwd, round % 2 === 0 ? (name) => name.endsWith('.tmp') : (_, count) => count >= events)
      const state = await expectOnlyValidPackages(cwd)
      if (state.temporary.length > 0) midWrite++
    }
    // At least once the kill landed while a package was being written.
    expect(midWrite).toBeGreaterThan(0)
    const dist = path.join(cwd, 'dist')
    const old = new Date(Date.now() - 60 * 60 * 1000)
    for (const name of leftovers(dist)) utimesSync(path.join(dist, name), old, old)
    expect(await spawnBuild(cwd).done).toBe(0)
    expect(await expectOnlyValidPackages(cwd)).toEqual({packages: 16, temporary: []})
  }, 600_000)
})

describe('deckc builds running at once', () => {
  it('three builds writing the same output, five times, leave the packages a lone build writes', async () => {
    const alone = busyProject(6, 40)
    expect(await spawnBuild(alone).done).toBe(0)
    const cwd = busyProject(6, 40)
    for (let round = 0; round < 5; round++) {
      const builds = [spawnBuild(cwd), spawnBuild(cwd), spawnBuild(cwd)]
      expect(await Promise.all(builds.map((build) => build.done))).toEqual([0, 0, 0])
      expect(await expectOnlyValidPackages(cwd)).toEqual({packages: 6, temporary: []})
      for (let index = 0; index < 6; index++) {
        const name = `dist/l${String(index).padStart(2, '0')}.apkg`
        expect(readFileSync(path.join(cwd, name)).equals(readFileSync(path.join(alone, name))), name).toBe(true)
      }
    }
  }, 600_000)
})
