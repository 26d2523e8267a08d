import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { vegaTextWidth } from './text-width.ts';
import { CHART_FONT } from './theme.ts';

/**
 * Vega-Lite spec → PNG on the server, with no browser and no canvas: vega-lite compiles to Vega,
 * a headless Vega View (renderer 'none') draws SVG, and resvg rasterises it with the system fonts.
 * Charts carry their data inline; the loader refuses anything else, so a spec can't make the bot
 * fetch a URL or read a file.
 */

// Vega lays text out with textMetrics.width, a documented hook (vl-convert sets it too). Without a
// canvas it guesses 0.8 em a character; DejaVu's real widths keep titles and legends their size.
const metrics = (vega as unknown as { textMetrics?: { width: unknown } }).textMetrics;
if (metrics) metrics.width = vegaTextWidth;

export interface RenderOptions {
  /** Pixels per spec unit: 2 (the default) makes an 800×450 spec a crisp 1600×900 PNG. */
  scale?: number;
}

export class ChartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChartError';
  }
}

function inlineOnly(): vega.Loader {
  const base = vega.loader();
  const refuse = async (uri: string): Promise<never> => {
    throw new ChartError(`charts render inline data only; refused to load ${uri}`);
  };
  return { ...base, load: refuse, sanitize: refuse, http: refuse, file: refuse } as vega.Loader;
}

/** The first `url` anywhere in a compiled spec (data sources, image marks), if any. */
function externalUrl(node: unknown): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'url') return typeof value === 'string' ? value : JSON.stringify(value);
    const found = externalUrl(value);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The chart as SVG text, at spec size. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const quiet = vega.logger(vega.Error);
  let view: vega.View | undefined;
  try {
    const vegaSpec = compile(spec, { logger: quiet }).spec;
    // Vega logs a failed load and draws an empty chart; refuse up front instead.
    const url = externalUrl(vegaSpec);
    if (url !== undefined) throw new ChartError(`charts render inline data only; refused to load ${url}`);
    view = new vega.View(vega.parse(vegaSpec), { renderer: 'none', loader: inlineOnly(), logger: quiet });
    return await view.toSVG();
  } catch (error) {
    if (error instanceof ChartError) throw error;
    throw new ChartError(`could not draw the chart: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  } finally {
    view?.finalize();
  }
}

/** The chart as a PNG, `scale` pixels per spec unit, on a white background. */
export async function renderPng(spec: TopLevelSpec, options: RenderOptions = {}): Promise<Buffer> {
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 8)) throw new ChartError(`scale must be above 0 and at most 8, not ${scale}`);
  const svg = await renderSvg(spec);
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
  });
  return resvg.render().asPng();
}
