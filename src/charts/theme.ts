import type { Config } from 'vega-lite';

/**
 * What every chart the bot posts shares: Slack's image preview size, a font the server has (the
 * PNG is drawn with system fonts, and DejaVu Sans is what a Debian/Ubuntu host ships), and type
 * large enough to read in the preview without opening the image.
 */

export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 450;
export const CHART_FONT = 'DejaVu Sans';

/** Colour-blind-safe categorical colours (Tableau 10), in the order lines get them. */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export const CHART_CONFIG: Config = {
  font: CHART_FONT,
  background: 'white',
  padding: 12,
  view: { stroke: null },
  title: { fontSize: 18, subtitleFontSize: 12, subtitleColor: '#555', anchor: 'start', offset: 12 },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', gridColor: '#e6e6e6', domainColor: '#888' },
  legend: { labelFontSize: 12, titleFontSize: 12, symbolStrokeWidth: 3, labelLimit: 260 },
  range: { category: PALETTE },
};

/** Size the whole image, legend and titles included, to width × height. */
export const FIT = { type: 'fit', contains: 'padding' } as const;

/** Tick label for a token count on a log axis: 1K, 10M, 1.5B. */
export const TOKENS_LABEL =
  "datum.value >= 1e12 ? format(datum.value / 1e12, '~g') + 'T' : datum.value >= 1e9 ? format(datum.value / 1e9, '~g') + 'B' : " +
  "datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + 'M' : datum.value >= 1e3 ? format(datum.value / 1e3, '~g') + 'K' : format(datum.value, '~g')";

/** Tick label for dollars on a log axis: $0.1, $100, $10K, $1M. */
export const USD_LABEL =
  "'$' + (datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + 'M' : datum.value >= 1e3 ? format(datum.value / 1e3, '~g') + 'K' : format(datum.value, '~g'))";

/** Powers of ten covering [min, max], for log-axis domains and ticks. */
export function decades(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
  const out: number[] = [];
  for (let e = lo; e <= hi; e++) out.push(10 ** e);
  return out;
}
