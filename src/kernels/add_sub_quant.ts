import type { Graph, Node } from '../graph/index.js';
import { binaryQuant, prepareBinary, type AddQuant } from './binary.js';
import { multiplyByQuantizedMultiplierSmallerThanOneExp as mbqmExp, quantizeMultiplier } from './quant_math.js';

/** TFLite PrepareGeneralSubOp / add.cc Prepare for uint8 and int8 (left shift 20). */
export function prepareAddQuant(node: Node, g: Graph): AddQuant {
  const base = prepareBinary(node, g);
  const { a, b, y } = binaryQuant(node, g);
  const leftShift = 20;
  const twiceMax = 2 * Math.max(a.scale, b.scale);
  const m1 = quantizeMultiplier(a.scale / twiceMax);
  const m2 = quantizeMultiplier(b.scale / twiceMax);
  const mo = quantizeMultiplier(twiceMax / ((1 << leftShift) * y.scale));
  return {
    ...base,
    in1Offset: -a.zeroPoint,
    in2Offset: -b.zeroPoint,
    outOffset: y.zeroPoint,
    leftShift,
    in1Mult: m1.multiplier,
    in1Shift: m1.shift,
    in2Mult: m2.multiplier,
    in2Shift: m2.shift,
    outMult: mo.multiplier,
    outShift: mo.shift,
  };
}

/** Both inputs rescaled to the common scale (AddElementwise's first half). */
export function scaledInputs(p: AddQuant, a: number, b: number): [number, number] {
  const sa = mbqmExp((a + p.in1Offset) * (1 << p.leftShift), p.in1Mult, p.in1Shift);
  const sb = mbqmExp((b + p.in2Offset) * (1 << p.leftShift), p.in2Mult, p.in2Shift);
  return [sa, sb];
}

/** The raw sum or difference rescaled to the output. */
export function scaledOutput(p: AddQuant, raw: number): number {
  return mbqmExp(raw, p.outMult, p.outShift) + p.outOffset;
}
