/**
 * Prefixes every id in an SVG document, and every reference to one, with `prefix`. Vega numbers
 * its clip paths and gradients from 1 in every SVG it writes, so two charts inlined in one page
 * would otherwise clip each other's marks.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}-${id}"`);
}
