/**
 * Fit, zoom and pan for the graph panel, as plain arithmetic on a view transform.
 *
 * The webview applies `transform="translate(tx ty) scale(s)"` to the drawing's `<g class="zoom">`
 * (an SVG attribute, so the panel's CSP, which forbids inline styles, is kept). The maths lives
 * here, without DOM, so it is unit-tested: a drawing point p is shown at `p * scale + t`.
 * Why fit by default: a 15-step flow used to be a 1,372 px column the user scrolled through;
 * fitted, the whole flow is seen at once and the wheel or the buttons zoom into a part.
 */

export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface View {
  scale: number;
  tx: number;
  ty: number;
}

/** Zoom limits: below MIN_SCALE a 60-step flow is a smudge anyway; above MAX_SCALE text is huge. */
export const MIN_SCALE = 0.05;
export const MAX_SCALE = 4;
/** Fitting never enlarges a small flow past its natural size: 1:1 reads best. */
export const FIT_MAX_SCALE = 1;
export const FIT_MARGIN = 8;
/** One wheel notch / one +/− click. */
export const ZOOM_STEP = 1.25;

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** The view that shows the whole drawing centred in the viewport (never above 1:1). */
export function fitView(content: Size, viewport: Size, margin = FIT_MARGIN): View {
  const w = Math.max(1, content.width);
  const h = Math.max(1, content.height);
  const availW = Math.max(1, viewport.width - 2 * margin);
  const availH = Math.max(1, viewport.height - 2 * margin);
  const scale = clamp(Math.min(availW / w, availH / h, FIT_MAX_SCALE), MIN_SCALE, MAX_SCALE);
  return { scale, tx: (viewport.width - w * scale) / 2, ty: (viewport.height - h * scale) / 2 };
}

/** The drawing at its natural size (1:1), its top centred horizontally. */
export function actualSizeView(content: Size, viewport: Size, margin = FIT_MARGIN): View {
  return { scale: 1, tx: Math.max(margin, (viewport.width - content.width) / 2), ty: margin };
}

/** Zoom by `factor` keeping the drawing point under `at` (viewport coordinates) in place. */
export function zoomAt(view: View, factor: number, at: Point): View {
  const scale = clamp(view.scale * factor, MIN_SCALE, MAX_SCALE);
  const k = scale / view.scale;
  return { scale, tx: at.x - (at.x - view.tx) * k, ty: at.y - (at.y - view.ty) * k };
}

/** Move the drawing by (dx, dy) viewport pixels. */
export function panBy(view: View, dx: number, dy: number): View {
  return { scale: view.scale, tx: view.tx + dx, ty: view.ty + dy };
}

/** Wheel delta (pixels or lines) → zoom factor: one notch is one ZOOM_STEP. */
export function wheelFactor(deltaY: number): number {
  if (!deltaY) return 1;
  const notches = clamp(deltaY / 100, -3, 3);
  return Math.pow(ZOOM_STEP, -notches);
}

/** Where drawing rectangle `r` lands in the viewport under `view`. */
export function project(view: View, r: { x: number; y: number; width: number; height: number }) {
  return { x: r.x * view.scale + view.tx, y: r.y * view.scale + view.ty, width: r.width * view.scale, height: r.height * view.scale };
}

/** The SVG transform attribute for `view`. */
export function transformOf(view: View): string {
  return `translate(${view.tx.toFixed(2)} ${view.ty.toFixed(2)}) scale(${view.scale.toFixed(4)})`;
}
