/** Small readers of vega's SVG output for tests. */

export interface SvgImage {
  x: number;
  y: number;
  width: number;
  href: string;
}

/** The <image> elements with their translate() position. */
export function svgImages(svg: string): SvgImage[] {
  return [...svg.matchAll(/<image [^>]*?xlink:href="([^"]+)"[^>]*?transform="translate\(([-\d.]+),([-\d.]+)\)"[^>]*?width="([\d.]+)"/g)].map((m) => ({
    href: m[1],
    x: Number(m[2]),
    y: Number(m[3]),
    width: Number(m[4]),
  }));
}

/** The text elements' contents and fill colours, in document order. */
export function svgTexts(svg: string): Array<{ text: string; fill: string }> {
  return [...svg.matchAll(/<text [^>]*?fill="([^"]+)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ fill: m[1], text: m[2] }));
}

/** Rect marks (paths `M x,y h w ...` with an aria-label naming their data) with position and fill. */
export function svgRects(svg: string): Array<{ label: string; x: number; y: number; fill: string }> {
  return [...svg.matchAll(/<path aria-label="([^"]*)"[^>]*? d="M([-\d.]+),([-\d.]+)h[^"]*"[^>]*?fill="([^"]+)"/g)].map((m) => ({
    label: m[1],
    x: Number(m[2]),
    y: Number(m[3]),
    fill: m[4],
  }));
}
