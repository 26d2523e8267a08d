/**
 * Text widths for Vega's layout on a server. Without a canvas, Vega guesses 0.8 em a character,
 * which for DejaVu Sans (about 0.6 em) makes titles and legends look a third wider than they are,
 * so `autosize: fit` shrinks the plot to make room for text that isn't there. These are DejaVu
 * Sans advance widths in em (units ÷ 2048), close enough for layout; resvg draws the real glyphs.
 */

const EM: Record<string, number> = {
  ' ': 0.318,
  a: 0.613,
  b: 0.635,
  c: 0.55,
  d: 0.635,
  e: 0.615,
  f: 0.352,
  g: 0.635,
  h: 0.634,
  i: 0.278,
  j: 0.278,
  k: 0.579,
  l: 0.278,
  m: 0.974,
  n: 0.634,
  o: 0.612,
  p: 0.635,
  q: 0.635,
  r: 0.411,
  s: 0.521,
  t: 0.392,
  u: 0.634,
  v: 0.592,
  w: 0.818,
  x: 0.592,
  y: 0.592,
  z: 0.525,
  A: 0.684,
  B: 0.686,
  C: 0.698,
  D: 0.77,
  E: 0.632,
  F: 0.575,
  G: 0.775,
  H: 0.752,
  I: 0.295,
  J: 0.295,
  K: 0.656,
  L: 0.557,
  M: 0.863,
  N: 0.748,
  O: 0.787,
  P: 0.603,
  Q: 0.787,
  R: 0.695,
  S: 0.635,
  T: 0.611,
  U: 0.732,
  V: 0.684,
  W: 0.989,
  X: 0.685,
  Y: 0.611,
  Z: 0.685,
  '.': 0.318,
  ',': 0.318,
  ':': 0.337,
  ';': 0.337,
  '(': 0.39,
  ')': 0.39,
  '-': 0.361,
  '–': 0.5,
  $: 0.636,
  '/': 0.337,
  '%': 0.95,
  '×': 0.838,
  '…': 1,
  "'": 0.275,
  '’': 0.318,
};
const DIGIT = 0.636;
const OTHER = 0.65;
const BOLD = 1.1;

/** Width in pixels of `text` at `fontSize` in DejaVu Sans (bold ~10% wider). */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) em += EM[ch] ?? (ch >= '0' && ch <= '9' ? DIGIT : OTHER);
  return em * fontSize * (bold ? BOLD : 1);
}

interface TextItem {
  text?: unknown;
  fontSize?: number;
  fontWeight?: string | number;
}

/** Vega's textMetrics.width signature: the item being laid out, and optionally one line of its text. */
export function vegaTextWidth(item: TextItem, text?: unknown): number {
  const value = text ?? item.text;
  const line = Array.isArray(value)
    ? value.map(String).reduce((a, b) => (a.length >= b.length ? a : b), '')
    : String(value ?? '');
  const weight = item.fontWeight;
  const bold = weight === 'bold' || weight === 'bolder' || (typeof weight === 'number' && weight >= 600);
  return Math.ceil(textWidth(line, item.fontSize ?? 11, bold));
}
