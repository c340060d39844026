import {describe, expect, test} from 'vitest'
import {checksum, sortField, stripHtml} from '../../src/anki/checksum.js'

describe('checksum', () => {
  test('matches the vectors of the format document', () => {
    expect(checksum('')).toBe(3_661_210_606)
    expect(checksum('Paris')).toBe(574_163_665)
  })

  test('is computed on the stripped text', () => {
    expect(checksum('<b>Paris</b>')).toBe(574_163_665)
    expect(checksum('<div>Paris<!-- note --></div>')).toBe(574_163_665)
  })
})

describe('stripHtml', () => {
  test.each([
    ['test', 'test'],
    ['t<b>e</b>st', 'test'],
    ['so<SCRIPT>t<b>e</b>st</script>me', 'some'],
    ['a<style type="text/css">\n.x { color: red }\n</STYLE>b', 'ab'],
    ['a<!-- one\ntwo -->b', 'ab'],
    ['<p\nclass="x">multi-line tag</p>', 'multi-line tag'],
    ['  spaced  ', '  spaced  ']
  ])('removes tags, comments, style and script: %j', (html, text) => {
    expect(stripHtml(html)).toBe(text)
  })

  test.each([
    ['<img src=foo.jpg>', ' foo.jpg '],
    ['<img src="foo bar.jpg" alt="x">', ' foo bar.jpg '],
    ["<IMG SRC='foo.jpg'><html>", ' foo.jpg '],
    ['x<img alt="a > b" src="q.png">y', 'x q.png y'],
    ['<audio controls src="s.mp3"></audio>', ' s.mp3 '],
    ['<video><source src="v.webm"></video>', ' v.webm '],
    ['<object data="d.svg"></object>', ' d.svg '],
    ['<img src=a.png width=3>', ' a.png ']
  ])('keeps media file names: %j', (html, text) => {
    expect(stripHtml(html)).toBe(text)
  })

  test.each([
    ['a&amp;b', 'a&b'],
    ['&lt;tag&gt;', '<tag>'],
    ['&nbsp;x', ' x'],
    ['&#39;&#x41;&#65;', "'AA"],
    ['&eacute;t&eacute;', 'été'],
    ['a\u00A0b &amp;', 'a b &']
  ])('decodes entities when there is an &: %j', (html, text) => {
    expect(stripHtml(html)).toBe(text)
  })

  test.each([
    ['a\u00A0b', 'a\u00A0b'],
    ['Tom & Jerry\u00A0', 'Tom & Jerry\u00A0'],
    ['&amp; &apos;', '&amp; &apos;'],
    ['&#X41; &amp;', '&#X41; &amp;'],
    ['&amp', '&amp'],
    ['&#xD800;', '&#xD800;']
  ])('keeps the text when decoding fails, as Anki does: %j', (html, text) => {
    expect(stripHtml(html)).toBe(text)
  })
})

describe('sortField', () => {
  test('is the stripped field, untrimmed', () => {
    expect(sortField('<b>007</b> ')).toBe('007 ')
    expect(sortField('Capital? <span class="ref">(slide 4)</span>')).toBe('Capital? (slide 4)')
  })
})

describe('media tags', () => {
  /** Anki's HTML_MEDIA_TAGS as one backtracking regex: exact, but exponential on some input. */
  const REFERENCE =
    /<\b(?:img|audio|video|object|source)\b(?:[^>]|"[^"]+?"|'[^']+?')+?\b(?:src|data)\b=(?:"([^"]+?)"[^>]*>|'([^']+?)'[^>]*>|([^>]+?)(?: [^>]*>|>))/gisu
  const reference = (html: string): string =>
    html.replace(REFERENCE, (_match, double?: string, single?: string, bare?: string) => ` ${double ?? single ?? bare ?? ''} `)
  const stripTags = (text: string): string => text.replace(/<!--.*?-->|<style.*?>.*?<\/style>|<script.*?>.*?<\/script>|<.*?>/gisu, '')

  test('agree with the reference regex on random tag soup', () => {
    const tags = ['<img', '<IMG', '<video', '<source', '<object', '<imgx', 'text ']
    const attributes = [
      ' src=a.png', ' SRC="b c.png"', " data='d.png'", ' alt="src=e.png"', " alt='x>src=f.png'", ' "g>h"', ' x',
      ' src=""', ' src= i.png', '>', '"', "'", ' xsrc=j', '=', ' src=k.png/', '<img', ' data=l m>', ' alt="n"'
    ]
    let seed = 42
    const random = (limit: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed % limit
    }
    const pick = (list: string[]): string => list[random(list.length)] ?? ''
    for (let round = 0; round < 20_000; round++) {
      const parts = Array.from({length: random(6)}, () => pick(attributes))
      const html = `${pick(tags)}${parts.join('')}${pick(['>', '', ' >tail', '>x<img src=z>'])}`
      expect(stripHtml(html), html).toBe(stripTags(reference(html)))
    }
  })

  test('take linear time on a tag with many quoted attributes and no src', () => {
    const html = `<img ${Array.from({length: 200}, (_, index) => `a${index}="v"`).join(' ')}> text`
    const started = performance.now()
    expect(stripHtml(html)).toBe(' text')
    expect(performance.now() - started).toBeLessThan(200)
  })
})
