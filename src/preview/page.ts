/**
 * The preview page of one deck: every card's front and back, rendered with
 * the note type templates and CSS that go into the package, in one
 * self-contained HTML file (inline CSS, a tiny inline script, media as
 * `data:` URLs, and a Content-Security-Policy that forbids any request).
 */
import {Buffer} from 'node:buffer'
import {NOTETYPES} from '../anki/format.js'
import type {NotetypeJson} from '../anki/format.js'
import type {Collection, MediaFile} from '../types.js'
import {renderCard} from './card.js'

/** What a preview page shows. */
export interface PreviewDeck {
  /** The deck name (`::` between levels). */
  name: string
  /** The lecture the deck was compiled from, as shown in messages. */
  path: string
  /** The package contents. */
  collection: Collection
}

/**
 * Builds the preview page of a deck.
 *
 * @param deck The deck, its lecture path and its package contents.
 * @param notetypes Optional; the note types notes may use. Default: deckc's own.
 * @returns The HTML document; the same deck always gives the same text.
 */
export function previewPage(deck: PreviewDeck, notetypes: NotetypeJson[] = NOTETYPES, options: {live?: boolean} = {}): string {
  const {collection} = deck
  const notes = new Map(collection.notes.map((note) => [note.id, note]))
  const deckNames = new Map(collection.decks.map((item) => [item.id, item.name]))
  const types = new Map(notetypes.map((notetype) => [notetype.id, notetype]))
  const media = mediaUrls(collection.media)
  const used = new Set<NotetypeJson>()

  const cards = collection.cards.map((card, index) => {
    const note = notes.get(card.nid)
    const notetype = note && types.get(note.notetype)
    if (!note || !notetype) throw new Error(`Card ${card.id} has no note or note type`)
    used.add(notetype)
    const sides = renderCard(notetype, note, card.ord, deckNames.get(card.did) ?? deck.name)
    const source = `${note.source.path}:${note.source.line}`
    const side = (label: string, html: string): string =>
      `<section class="deckc-side"><h3>${label}</h3><div class="card card${card.ord + 1}">\n${inlineMedia(html, media)}\n</div></section>`
    return [
      `<article class="deckc-card" id="card-${index + 1}" data-source="${escape(source)}">`,
      `<header><span class="deckc-number">${index + 1}</span> <span class="deckc-template">${escape(notetype.name)} · ${escape(sides.name)}</span> <code class="deckc-source">${escape(source)}</code></header>`,
      `<div class="deckc-sides">`,
      side('Front', sides.question),
      side('Back', sides.answer),
      `</div>`,
      `</article>`
    ].join('\n')
  })

  const count = `${cards.length} ${cards.length === 1 ? 'card' : 'cards'}`
  const typeNames = [...used].map((notetype) => notetype.name).join(', ')
  // All of deckc's note types share one stylesheet; a page still carries each distinct one it uses.
  const styles = [...new Set([...used].map((notetype) => notetype.css))]
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; media-src data:; font-src data:${options.live ? "; connect-src 'self'" : ''}">
<title>${escape(deck.name)} — deckc preview</title>
${styles.map((css) => `<style>\n/* The note type's CSS, as in the package. */\n${css}</style>`).join('\n')}
<style>
/* The preview page around the cards. */
${PAGE_CSS}</style>
</head>
<body>
<header class="deckc-bar">
<div>
<h1>${escape(deck.name)}</h1>
<p>${count} from <code>${escape(deck.path)}</code>${typeNames ? `, rendered with the templates and CSS of ${escape(typeNames)}` : ''}</p>
</div>
<button type="button" id="deckc-night" aria-pressed="false">Night mode</button>
</header>
<main>
${cards.join('\n')}
</main>
<script>
${PAGE_SCRIPT}${options.live ? LIVE_SCRIPT : ''}</script>
</body>
</html>
`
}

/**
 * Anki's night mode: `nightMode` on the body, and `nightMode night_mode` on
 * the `.card` element (desktop and AnkiMobile use the first, AnkiDroid and
 * old desktop versions the second). Starts in the system's colour scheme.
 */
const PAGE_SCRIPT = `const button = document.getElementById('deckc-night')
function setNight(night) {
  document.body.classList.toggle('nightMode', night)
  for (const card of document.querySelectorAll('.card')) {
    card.classList.toggle('nightMode', night)
    card.classList.toggle('night_mode', night)
  }
  button.setAttribute('aria-pressed', String(night))
  button.textContent = night ? 'Light mode' : 'Night mode'
}
button.addEventListener('click', () => setNight(!document.body.classList.contains('nightMode')))
if (window.matchMedia('(prefers-color-scheme: dark)').matches) setNight(true)
`

const PAGE_CSS = `body {
  margin: 0;
  background: #eef0f3;
  color: #1f2328;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
body.nightMode { background: #1b1c1e; color: #d7dadf; }
.deckc-bar {
  position: sticky;
  top: 0;
  z-index: 1;
  display: flex;
  align-items: center;
  justify-content: space-between;
  gap: 1em;
  padding: 0.6em 1.2em;
  background: inherit;
  border-bottom: 1px solid rgba(127, 127, 127, 0.35);
}
.deckc-bar h1 { font-size: 1.25em; margin: 0; }
.deckc-bar p { margin: 0.2em 0 0; font-size: 0.9em; opacity: 0.8; }
#deckc-night {
  font: inherit;
  padding: 0.35em 0.9em;
  border-radius: 6px;
  border: 1px solid rgba(127, 127, 127, 0.6);
  background: transparent;
  color: inherit;
  cursor: pointer;
}
main { padding: 1em 1.2em 3em; }
.deckc-card { margin: 0 auto 1.4em; max-width: 90em; }
.deckc-card > header { font-size: 0.85em; margin-bottom: 0.35em; opacity: 0.85; }
.deckc-number { font-weight: 600; }
.deckc-source { font-size: 0.95em; }
.deckc-sides { display: grid; grid-template-columns: repeat(auto-fit, minmax(20em, 1fr)); gap: 0.8em; }
.deckc-side {
  border: 1px solid rgba(127, 127, 127, 0.35);
  border-radius: 8px;
  overflow: hidden;
  display: flex;
  flex-direction: column;
}
.deckc-side > h3 {
  margin: 0;
  padding: 0.25em 0.8em;
  font-size: 0.75em;
  font-weight: 600;
  text-transform: uppercase;
  letter-spacing: 0.06em;
  opacity: 0.7;
}
.deckc-side > .card { flex: 1; width: 100%; box-sizing: border-box; padding-top: 0.4em; padding-bottom: 0.8em; }
.deckc-template-error { color: #b42318; font-weight: 600; }
`

/** Media file name → `data:` URL. */
function mediaUrls(media: MediaFile[]): Map<string, string> {
  return new Map(media.map((file) => [file.name, `data:${mimeType(file.name)};base64,${Buffer.from(file.data).toString('base64')}`]))
}

const MIME_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  webm: 'video/webm'
}

function mimeType(name: string): string {
  return MIME_TYPES[name.slice(name.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream'
}

/** Points `src=`/`data=` attributes that name a bundled media file at its `data:` URL. */
function inlineMedia(html: string, media: Map<string, string>): string {
  if (media.size === 0) return html
  return html.replace(/(\s(?:src|data)=)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi, (whole, attribute: string, ...values: unknown[]) => {
    const raw = values.slice(0, 3).find((value): value is string => typeof value === 'string') ?? ''
    const url = media.get(unescape(raw))
    return url ? `${attribute}"${url}"` : whole
  })
}

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')
}

function unescape(text: string): string {
  return text
    .replace(/&#x([\da-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, decimal: string) => String.fromCodePoint(Number(decimal)))
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
}

/** With `preview --watch`, served pages reload when the preview server says the notes changed. */
const LIVE_SCRIPT = `if (location.protocol.startsWith('http')) new EventSource('/events').onmessage = () => location.reload()
`
