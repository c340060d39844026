// Deterministic benchmark corpus: lecture files in the user's own style
// (notes/L9-systems-for-ml.md): a title line, question lines ending in `?`
// (some with `(slide N)`), answers of bullets, plain lines and `short:` /
// `note:` / `problem:` labels, multi-part questions, a lazy line after a
// list, now and then fenced Python, inline math (`$x^2$`) and inline code.
//
// Same arguments → same bytes: a seeded PRNG (sfc32), never Math.random.
//
//   node bench/corpus.js --cards 10000 [--files 100] [--seed deckc] --out DIR
//
// Without --files the standard layout of the benchmark sizes is used
// (see `standardFiles`).
import {mkdirSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {parseArgs} from 'node:util'
import {pathToFileURL} from 'node:url'

/** Bump when the generated text changes, so cached corpora are regenerated. */
export const CORPUS_VERSION = 1

/** Files per benchmark size: 20 → 1, 1,000 → 10, 10,000 and 100,000 → 100, 1,000,000 → 1,000. */
export function standardFiles(cards) {
  if (cards <= 100) return 1
  if (cards <= 1000) return 10
  if (cards <= 100_000) return 100
  return 1000
}

// ---------------------------------------------------------------------------
// PRNG

/** 32-bit string hash (xmur3) to seed the generator. */
function hashSeed(text) {
  let h = 1779033703 ^ text.length
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353)
    h = (h << 13) | (h >>> 19)
  }
  return () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507)
    h = Math.imul(h ^ (h >>> 13), 3266489909)
    return (h ^= h >>> 16) >>> 0
  }
}

/** sfc32: small, fast, good enough for text; returns floats in [0, 1). */
function sfc32(seedText) {
  const seed = hashSeed(seedText)
  let a = seed(), b = seed(), c = seed(), d = seed()
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0
    let t = (a + b) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    d = (d + 1) | 0
    t = (t + d) | 0
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  for (let i = 0; i < 12; i++) next()
  return next
}

function tools(random) {
  const int = (min, max) => min + Math.floor(random() * (max - min + 1))
  const pick = (list) => list[Math.floor(random() * list.length)]
  const chance = (p) => random() < p
  /** Pick by weight: `[[weight, value], …]`. */
  const weighted = (entries) => {
    const total = entries.reduce((sum, [weight]) => sum + weight, 0)
    let roll = random() * total
    for (const [weight, value] of entries) {
      if ((roll -= weight) < 0) return value
    }
    return entries[entries.length - 1][1]
  }
  return {int, pick, chance, weighted}
}

// ---------------------------------------------------------------------------
// Vocabulary (lower case; nothing here may end a line with `?` or start one
// with `#`, `>`, `|`, `<` or a digit)

const topics = [
  'Systems for ML', 'Operating Systems', 'Computer Networks', 'Databases', 'Distributed Systems',
  'Compilers', 'Computer Architecture', 'Machine Learning', 'Deep Learning', 'Security',
  'Algorithms', 'Data Structures', 'Cloud Computing', 'Parallel Computing', 'Information Retrieval',
  'Software Engineering', 'Computer Graphics', 'Cryptography', 'Optimisation', 'Probability'
]

const nouns = [
  'data parallelism', 'model parallelism', 'parameter server', 'allreduce', 'gradient descent',
  'backpropagation', 'batch normalisation', 'dropout', 'learning rate', 'loss function',
  'activation function', 'feature engineering', 'hyperparameter tuning', 'model search', 'inference',
  'training throughput', 'latency', 'memory bandwidth', 'cache locality', 'page table',
  'translation lookaside buffer', 'virtual memory', 'context switch', 'scheduler', 'process',
  'thread', 'mutex', 'semaphore', 'deadlock', 'livelock', 'consensus', 'leader election',
  'two-phase commit', 'write-ahead log', 'b-tree', 'hash index', 'query planner', 'join order',
  'buffer pool', 'isolation level', 'snapshot isolation', 'replication', 'sharding',
  'load balancing', 'congestion control', 'flow control', 'routing table', 'packet loss',
  'tcp handshake', 'dns resolution', 'register allocation', 'instruction scheduling',
  'branch prediction', 'pipeline stall', 'out-of-order execution', 'vector unit', 'systolic array',
  'tensor core', 'mixed precision', 'quantisation', 'pruning', 'knowledge distillation',
  'embedding table', 'attention', 'transformer', 'convolution', 'recurrent network',
  'data loader', 'prefetching', 'checkpointing', 'fault tolerance', 'straggler mitigation',
  'garbage collection', 'reference counting', 'type inference', 'static analysis', 'lexer',
  'parser', 'intermediate representation', 'loop unrolling', 'dead code elimination',
  'public key encryption', 'hash function', 'message authentication code', 'side channel',
  'access control', 'sandboxing', 'overfitting', 'regularisation', 'cross validation',
  'bias-variance trade-off', 'decision tree', 'random forest', 'support vector machine',
  'k-means clustering', 'principal component analysis', 'bloom filter', 'skip list',
  'priority queue', 'dynamic programming', 'divide and conquer', 'amortised analysis'
]

const verbs = [
  'reduce', 'increase', 'overlap', 'partition', 'replicate', 'cache', 'compress', 'schedule',
  'synchronise', 'batch', 'pipeline', 'prefetch', 'validate', 'tune', 'measure', 'profile',
  'serialise', 'aggregate', 'broadcast', 'shard', 'index', 'invalidate', 'evict', 'allocate',
  'free', 'lock', 'retry', 'log', 'checkpoint', 'restore', 'encrypt', 'verify', 'sample',
  'normalise', 'clip', 'split', 'merge', 'sort', 'hash', 'route'
]

const adjectives = [
  'large', 'small', 'distributed', 'local', 'remote', 'shared', 'private', 'sparse', 'dense',
  'concurrent', 'sequential', 'parallel', 'persistent', 'volatile', 'stale', 'fresh', 'hot',
  'cold', 'expensive', 'cheap', 'frequent', 'rare', 'global', 'partial', 'redundant', 'critical'
]

const objects = [
  'data', 'weights', 'gradients', 'activations', 'requests', 'pages', 'blocks', 'rows', 'keys',
  'messages', 'packets', 'threads', 'tasks', 'batches', 'tensors', 'queries', 'transactions',
  'records', 'nodes', 'replicas', 'partitions', 'cache lines', 'features', 'labels', 'samples'
]

const resources = ['CPU', 'GPU', 'memory', 'network', 'disk', 'PCIe bandwidth', 'power', 'storage I/O']

const labels = ['short', 'note', 'problem', 'solution', 'example', 'intuition', 'caveat', 'key idea']

const functions = ['torch.no_grad()', 'np.dot(a, b)', 'fork()', 'mmap()', 'malloc(n)', 'fsync(fd)', 'select()', 'x.backward()', 'pthread_join()', 'sort(xs)']

const maths = ['$x^2$', '$O(n \\log n)$', '$O(n^2)$', '$\\alpha = 0.01$', '$p(y \\mid x)$', '$e^{-\\lambda t}$', '$\\sum_i w_i x_i$', '$n/p$', '$2^{k}$', '$\\sqrt{n}$']

// ---------------------------------------------------------------------------
// One lecture

/**
 * Generate one lecture in the user's style.
 *
 * @param {object} options
 * @param {string} options.seed Corpus seed.
 * @param {number} options.index Lecture number (1-based); the title and file name carry it.
 * @param {number} options.cards Number of cards (a multi-part question is one card).
 * @returns {{name: string, text: string, cards: number}}
 */
export function generateLecture({seed, index, cards}) {
  const random = sfc32(`deckc-bench/${CORPUS_VERSION}/${seed}/${index}`)
  const {int, pick, chance, weighted} = tools(random)
  const topic = topics[(index - 1) % topics.length]
  const title = `L${index} - ${topic} Flashcards`
  const name = `L${String(index).padStart(4, '0')}-${topic.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.md`

  const noun = () => pick(nouns)
  const phrase = () =>
    weighted([
      [8, () => `${pick(verbs)} ${pick(objects)}`],
      [4, () => noun()],
      [3, () => `${pick(adjectives)} ${pick(objects)}`],
      [2, () => `${pick(verbs)} ${pick(adjectives)} ${pick(objects)} across ${pick(objects)}`],
      [2, () => `${pick(adjectives)} ${pick(objects)} need ${noun()}`],
      [2, () => `${noun()} and ${noun()}`],
      [1, () => `${pick(verbs)} the ${noun()} to ${pick(verbs)} ${pick(objects)}`],
      [1, () => `${noun()} (${pick(adjectives)} ${pick(objects)})`]
    ])()
  const sentence = () => {
    const text = phrase()
    return text.charAt(0).toUpperCase() + text.slice(1)
  }

  const questionTemplates = [
    [6, () => `What is ${noun()}?`],
    [4, () => `What are the ${pick(['two', 'three', 'four'])} parts of ${noun()}?`],
    [4, () => `Why do we care about ${noun()} in ${noun()}?`],
    [4, () => `How does ${noun()} affect ${noun()}?`],
    [3, () => `What resource is the bottleneck for ${noun()}?`],
    [3, () => `What needs to be done in the ${noun()} part?`],
    [3, () => `Common ways to implement ${noun()}?`],
    [3, () => `What is meant under ${noun()} for ${pick(adjectives)} ${pick(objects)}?`],
    [3, () => `How is ${noun()} done for ${pick(adjectives)} ${pick(objects)}?`],
    [3, () => `What performance metric is important for ${noun()}?`],
    [2, () => `When should you ${pick(verbs)} ${pick(objects)} with ${noun()}?`],
    [2, () => `What is the difference between ${noun()} and ${noun()}?`],
    [1, () => `What does \`${pick(functions)}\` do in ${noun()}?`],
    [1, () => `Why is ${noun()} ${pick(maths)} in the number of ${pick(objects)}?`]
  ]

  // Identity is the question's plain text, case and spacing ignored (src/identify.ts).
  const seen = new Set()
  const key = (text) => text.replace(/[`$*_\\]/g, '').toLowerCase().replace(/\s+/g, ' ').trim()
  const uniqueQuestion = () => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const text = weighted(questionTemplates)()
      if (!seen.has(key(text))) {
        seen.add(key(text))
        return text
      }
    }
    // Large lectures run out of combinations now and then: number the question.
    for (let n = 2; ; n++) {
      const text = `What is ${noun()} in case ${n}?`
      if (!seen.has(key(text))) {
        seen.add(key(text))
        return text
      }
    }
  }

  let slide = 1
  const reference = () => {
    slide += int(1, 3)
    return chance(0.25) ? ` (slide ${slide})` : ''
  }
  const bullets = (min, max) => Array.from({length: int(min, max)}, () => `- ${phrase()}`)

  const answers = [
    // The most common shape: a short list.
    [30, () => bullets(2, 5)],
    // One plain line (`throughput`, `latency`).
    [15, () => [chance(0.5) ? pick(objects) : phrase()]],
    [8, () => [sentence(), sentence()]],
    [10, () => [`short: ${phrase()}`, ...bullets(2, 4)]],
    // A plain line right after a list: ends the list (it is not glued into the last bullet).
    [8, () => [...bullets(2, 4), `these are repeated over the ${noun()}`]],
    [8, () => [sentence(), `note: ${phrase()}`]],
    [6, () => Array.from({length: int(2, 4)}, () => `- ${pick(verbs)} ${pick(objects)}: ${phrase()}`)],
    [3, () => [`${pick(labels)}: ${phrase()}`, `${pick(labels)}: ${phrase()}`]],
    [3, () => [`the cost is ${pick(maths)} for ${pick(maths)} ${pick(objects)}`, `- ${phrase()}`]],
    [2, () => [`call \`${pick(functions)}\` to ${pick(verbs)} ${pick(objects)}`]],
    [2, () => [
      sentence(),
      '```python',
      `def ${pick(verbs)}_${pick(objects).replace(/ /g, '_')}(xs):`,
      `    return [x * 2 for x in xs if x > 0]  # ${pick(verbs)} them`,
      '```'
    ]]
  ]

  const lines = [title]
  for (let card = 0; card < cards; card++) {
    if (chance(0.07)) {
      // Multi-part: two adjacent question lines are one card.
      lines.push(uniqueQuestion())
      lines.push(`How is this solved for ${noun()}?${reference()}`)
      lines.push(`problem: ${phrase()}`, `solution: ${phrase()}`)
      continue
    }
    lines.push(`${uniqueQuestion()}${reference()}`)
    lines.push(...weighted(answers)())
  }
  return {name, text: `${lines.join('\n')}\n`, cards}
}

/**
 * Write a corpus: `files` lectures with `cards` cards in all (the first
 * lectures get one more card when it does not divide evenly).
 *
 * @returns {{files: number, cards: number, bytes: number}}
 */
export function writeCorpus({dir, cards, files = standardFiles(cards), seed = 'deckc'}) {
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(dir, {recursive: true})
  const base = Math.floor(cards / files)
  const extra = cards % files
  let bytes = 0
  for (let index = 1; index <= files; index++) {
    const lecture = generateLecture({seed, index, cards: base + (index <= extra ? 1 : 0)})
    writeFileSync(path.join(dir, lecture.name), lecture.text)
    bytes += Buffer.byteLength(lecture.text)
  }
  return {files, cards, bytes}
}

/** Lecture files of a written corpus (for sanity checks). */
export function listCorpus(dir) {
  return readdirSync(dir).filter((name) => name.endsWith('.md')).sort()
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const {values} = parseArgs({
    options: {cards: {type: 'string'}, files: {type: 'string'}, seed: {type: 'string'}, out: {type: 'string'}}
  })
  if (!values.cards || !values.out) {
    process.stderr.write('Usage: node bench/corpus.js --cards N [--files F] [--seed S] --out DIR\n')
    process.exit(2)
  }
  const cards = Number(values.cards)
  const result = writeCorpus({
    dir: values.out,
    cards,
    files: values.files ? Number(values.files) : standardFiles(cards),
    seed: values.seed ?? 'deckc'
  })
  process.stdout.write(`${values.out}: ${result.files} files, ${result.cards} cards, ${(result.bytes / 1e6).toFixed(2)} MB\n`)
}
