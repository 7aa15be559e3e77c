import assert from "node:assert/strict";
import { test } from "node:test";
import { actualSizeView, fitView, MAX_SCALE, MIN_SCALE, panBy, project, transformOf, wheelFactor, zoomAt } from "../src/pure/graphView";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} ≈ ${b}`);

test("fit shows the whole drawing, centred, never above 1:1", () => {
  const content = { width: 600, height: 3000 };
  const viewport = { width: 500, height: 800 };
  const v = fitView(content, viewport, 8);
  const r = project(v, { x: 0, y: 0, ...content });
  assert.ok(r.x >= 0 && r.y >= 0 && r.x + r.width <= viewport.width + 1e-6 && r.y + r.height <= viewport.height + 1e-6);
  close(r.y, 8); // the tall side touches the margins
  close(r.x + r.width / 2, viewport.width / 2); // centred across
  assert.equal(fitView({ width: 100, height: 80 }, viewport).scale, 1);
});

test("fit of a degenerate viewport or drawing stays finite and within limits", () => {
  for (const v of [fitView({ width: 0, height: 0 }, { width: 0, height: 0 }), fitView({ width: 1e6, height: 1e6 }, { width: 10, height: 10 })]) {
    assert.ok(Number.isFinite(v.scale) && Number.isFinite(v.tx) && Number.isFinite(v.ty));
    assert.ok(v.scale >= MIN_SCALE && v.scale <= MAX_SCALE);
  }
});

test("zoom keeps the point under the cursor in place and respects the limits", () => {
  const v = { scale: 0.5, tx: 10, ty: 20 };
  const at = { x: 200, y: 150 };
  const before = { x: (at.x - v.tx) / v.scale, y: (at.y - v.ty) / v.scale };
  const z = zoomAt(v, 2, at);
  close(z.scale, 1);
  close(before.x * z.scale + z.tx, at.x);
  close(before.y * z.scale + z.ty, at.y);
  assert.equal(zoomAt(v, 1000, at).scale, MAX_SCALE);
  assert.equal(zoomAt(v, 1e-6, at).scale, MIN_SCALE);
});

test("pan, 1:1, wheel and the transform attribute", () => {
  assert.deepEqual(panBy({ scale: 2, tx: 1, ty: 2 }, 5, -3), { scale: 2, tx: 6, ty: -1 });
  assert.equal(actualSizeView({ width: 100, height: 100 }, { width: 300, height: 300 }).scale, 1);
  assert.ok(wheelFactor(-100) > 1 && wheelFactor(100) < 1 && wheelFactor(0) === 1);
  close(wheelFactor(100) * wheelFactor(-100), 1);
  assert.equal(transformOf({ scale: 0.5, tx: 1, ty: 2 }), "translate(1.00 2.00) scale(0.5000)");
});
