// Preloaded into each measured child (`node --import bench/maxrss.js …`) only
// when GNU time is missing: writes the process's peak RSS in kB (worker
// threads included) to $DECKC_BENCH_RSS_FILE at exit.
import {writeFileSync} from 'node:fs'

const file = process.env.DECKC_BENCH_RSS_FILE
if (file) {
  process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)))
}
