/**
 * The shape algebra of TF's shape inference (`InferenceContext`): shapes with unknown dims (-1)
 * or unknown rank (null), merged, sliced and concatenated the way TF's C++ shape functions do,
 * with TF's error messages.
 */
import type { PlanShape } from "../../core/plan.js";

/** A shape-function failure; the caller adds the node description, as TF does. */
export class ShapeError extends Error {}

/** TF's text of a shape in messages: `[2,3]`, `[?,2]`, `<unknown>`. */
export function formatShapeTF(shape: PlanShape): string {
  if (shape === null) return "<unknown>";
  return `[${shape.map((d) => (d < 0 ? "?" : String(d))).join(",")}]`;
}

/** Whether every dim is known. */
export function fullyDefined(shape: PlanShape): boolean {
  return shape !== null && shape.every((d) => d >= 0);
}

/** `InferenceContext::Merge` of two dims. */
export function mergeDim(a: number, b: number): number {
  if (a < 0) return b;
  if (b < 0 || a === b) return a;
  throw new ShapeError(`Dimensions must be equal, but are ${a} and ${b}`);
}

/** `InferenceContext::Merge` of two shapes. */
export function mergeShape(a: PlanShape, b: PlanShape): PlanShape {
  if (a === null) return b;
  if (b === null) return a;
  if (a.length !== b.length) throw new ShapeError(`Shapes must be equal rank, but are ${a.length} and ${b.length}`);
  return a.map((d, i) => {
    if (d >= 0 && b[i] >= 0 && d !== b[i]) {
      throw new ShapeError(`Dimension ${i} in both shapes must be equal, but are ${d} and ${b[i]}. ` +
        `Shapes are ${formatShapeTF(a)} and ${formatShapeTF(b)}.`);
    }
    return d >= 0 ? d : b[i];
  });
}

/** `WithRank`. */
export function withRank(s: PlanShape, rank: number): PlanShape {
  if (s === null) return new Array<number>(rank).fill(-1);
  if (s.length !== rank) throw new ShapeError(`Shape must be rank ${rank} but is rank ${s.length}`);
  return s;
}

/** `WithRankAtLeast`. */
export function withRankAtLeast(s: PlanShape, rank: number): PlanShape {
  if (s !== null && s.length < rank) throw new ShapeError(`Shape must be at least rank ${rank} but is rank ${s.length}`);
  return s;
}

/** `WithRankAtMost`. */
export function withRankAtMost(s: PlanShape, rank: number): PlanShape {
  if (s !== null && s.length > rank) throw new ShapeError(`Shape must be at most rank ${rank} but is rank ${s.length}`);
  return s;
}

/** `Subshape(s, start, end, stride)` with Python-like negative indices and clamping. */
export function subshape(s: PlanShape, start: number, end = Number.MAX_SAFE_INTEGER, stride = 1): PlanShape {
  if (stride === 0) throw new ShapeError("Stride must be non-zero");
  if (s === null) return null;
  const rank = s.length;
  if (start === 0 && stride === 1 && end >= rank) return s;
  let b = Math.min(start, rank);
  let e = Math.min(end, rank);
  if (stride < 0 && b === rank) b--;
  if (b < 0) {
    b += rank;
    if (b < 0) throw new ShapeError(`Subshape start out of bounds: ${start}, for shape with rank ${rank}`);
  }
  if (e < 0) {
    e += rank;
    if (e < 0) throw new ShapeError(`Subshape end out of bounds: ${end}, for shape with rank ${rank}`);
  }
  if (stride > 0 && b > e) {
    throw new ShapeError(`Subshape must have computed start <= end, but is ${b} and ${e} ` +
      `(computed from start ${start} and end ${end} over shape with rank ${rank})`);
  }
  if (stride < 0 && b < e) {
    throw new ShapeError(`Subshape must have computed start >= end since stride is negative, but is ${b} and ${e} ` +
      `(computed from start ${start} and end ${end} over shape with rank ${rank} and stride${stride})`);
  }
  const out: number[] = [];
  for (let i = b; stride > 0 ? i < e : i > e; i += stride) out.push(s[i]);
  return out;
}

/** `Concatenate`. */
export function concatShapes(a: PlanShape, b: PlanShape): PlanShape {
  if (a === null || b === null) return null;
  return [...a, ...b];
}

/** A shape of `rank` unknown dims. */
export function unknownOfRank(rank: number): number[] {
  return new Array<number>(rank).fill(-1);
}

/**
 * TF's broadcasting of two static shapes (`BroadcastBinaryOpOutputShapeFnHelper`): dims are
 * matched from the right; a 1 stretches; an unknown dim next to a known one > 1 takes that one.
 */
export function broadcastShapes(x: PlanShape, y: PlanShape): PlanShape {
  if (x === null || y === null) return null;
  const rank = Math.max(x.length, y.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const dx = i < rank - x.length ? 1 : x[i - (rank - x.length)];
    const dy = i < rank - y.length ? 1 : y[i - (rank - y.length)];
    if (dx < 0 || dy < 0) {
      if (dx > 1) out.push(dx);
      else if (dy > 1) out.push(dy);
      else if (dx === 1) out.push(dy);
      else if (dy === 1) out.push(dx);
      else out.push(-1);
    } else if (dx === 1 || dy === 1) {
      out.push(dx === 1 && dy !== 1 ? dy : dx);
    } else {
      out.push(mergeDim(dx, dy));
    }
  }
  return out;
}
