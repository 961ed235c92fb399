import type { Graph, Node } from '../graph/index.js';
import { binaryKernel, binaryQuant, prepareBinary, type BinaryBase } from './binary.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from './quant_math.js';

/** Float multiplication with broadcasting. */
export const mul_f32_ref = binaryKernel('MUL', 'mul', 'f32', 'float32', prepareBinary, (_p, a, b) => Math.fround(a * b));

interface MulQ extends BinaryBase {
  in1Offset: number;
  in2Offset: number;
  outOffset: number;
  mult: number;
  shift: number;
}

function prepareMulQ(node: Node, g: Graph): MulQ {
  const { a, b, y } = binaryQuant(node, g);
  const m = quantizeMultiplier((a.scale * b.scale) / y.scale);
  return {
    ...prepareBinary(node, g),
    in1Offset: -a.zeroPoint,
    in2Offset: -b.zeroPoint,
    outOffset: y.zeroPoint,
    mult: m.multiplier,
    shift: m.shift,
  };
}

const mulQ = (p: MulQ, a: number, b: number): number =>
  p.outOffset + multiplyByQuantizedMultiplier((a + p.in1Offset) * (b + p.in2Offset), p.mult, p.shift);

/** uint8 multiplication: (a − za)(b − zb) requantized by sa·sb/sy. */
export const mul_u8_ref = binaryKernel('MUL', 'mul', 'u8', 'uint8', prepareMulQ, mulQ);
/** int8 multiplication. */
export const mul_i8_ref = binaryKernel('MUL', 'mul', 'i8', 'int8', prepareMulQ, mulQ);
