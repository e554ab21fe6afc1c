import { describe, expect, it } from 'vitest';
import { distributionChart } from '../../lib/charts/distribution.ts';
import { escapeHtml } from '../../lib/render/escape.ts';
import { reportHtml } from '../../lib/render/html.ts';
import type { Report } from '../../lib/render/report.ts';
import { scopeSvgIds } from '../../lib/render/scopeSvgIds.ts';

const HOSTILE = `<script>alert("x")</script> & 'quotes'`;

const files = (name: string) => ({ spec: `charts/${name}.vl.json`, svg: `charts/${name}.svg` });

function report(text: string): Report {
  return {
    title: text,
    subtitle: text,
    sections: [{ id: 's1', title: text, paragraphs: [text], charts: [{ name: 'c1', caption: text, spec: distributionChart([]) }] }],
  };
}

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});

describe('scopeSvgIds', () => {
  it('prefixes ids and every reference to them, leaving data URLs alone', () => {
    const svg = '<clipPath id="clip1"/><g clip-path="url(#clip1)"/><use xlink:href="#clip1"/><image xlink:href="data:image/png;base64,AA"/>';
    expect(scopeSvgIds(svg, 'chart-a')).toBe(
      '<clipPath id="chart-a-clip1"/><g clip-path="url(#chart-a-clip1)"/><use xlink:href="#chart-a-clip1"/><image xlink:href="data:image/png;base64,AA"/>',
    );
  });
});

describe('reportHtml', () => {
  it('escapes every text of the report', () => {
    const html = reportHtml(report(HOSTILE), new Map([['c1', '<svg></svg>']]), files);
    expect(html).not.toContain('<script>');
    // <title>, h1, subtitle, contents, h2, paragraph, caption
    expect(html.split('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;').length - 1).toBe(7);
  });

  it('is self-contained: inline style and SVG, no script, nothing fetched from anywhere', () => {
    const html = reportHtml(report('Title'), new Map([['c1', '<svg id="x"><rect/></svg>']]), files);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<style>');
    expect(html).toContain('<svg id="c1-x"><rect/></svg>');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|@import|url\(http/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('href="charts/c1.vl.json"');
    expect(html).toContain('<a href="#s1">Title</a>');
  });

  it('names a chart whose SVG is missing', () => {
    expect(() => reportHtml(report('t'), new Map(), files)).toThrow(/no SVG for chart 'c1'/);
  });
});
