import type { Graph, Node } from '../graph/index.js';
import { intRange } from '../graph/index.js';
import { inputTensor, nodeLabel, outputTensor, quantOf, roundf } from './common.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from './quant_math.js';
import { unaryKernel } from './unary.js';

/** Requantizing clamp of TFLite's quantized ReluX: output = clamp(zy + M·(x − zx)). */
export interface ReluXQ {
  inZp: number;
  outZp: number;
  mult: number;
  shift: number;
  lo: number;
  hi: number;
}

/** Prepares a quantized ReluX clamping the real value to [actMin, actMax]. */
export function prepareReluX(actMin: number, actMax: number) {
  return (node: Node, g: Graph): ReluXQ => {
    const where = nodeLabel(node);
    const xq = quantOf(inputTensor(g, node, 0), where);
    const y = outputTensor(g, node);
    const yq = quantOf(y, where);
    const [qmin, qmax] = intRange(y.dtype);
    const f = Math.fround;
    const m = quantizeMultiplier(f(f(xq.scale) / f(yq.scale)));
    return {
      inZp: xq.zeroPoint,
      outZp: yq.zeroPoint,
      mult: m.multiplier,
      shift: m.shift,
      lo: Math.max(qmin, yq.zeroPoint + roundf(f(actMin / yq.scale))),
      hi: actMax === Infinity ? qmax : Math.min(qmax, yq.zeroPoint + roundf(f(actMax / yq.scale))),
    };
  };
}

/** Applies a prepared quantized ReluX to one value. */
export function reluX(p: ReluXQ, x: number): number {
  const v = p.outZp + multiplyByQuantizedMultiplier(x - p.inZp, p.mult, p.shift);
  return v < p.lo ? p.lo : v > p.hi ? p.hi : v;
}

/** Float ReLU. */
export const relu_f32_ref = unaryKernel('RELU', 'relu', 'f32', 'float32', () => null, (_p, x) => (x > 0 ? x : 0));
/** uint8 ReLU (requantizing). */
export const relu_u8_ref = unaryKernel('RELU', 'relu', 'u8', 'uint8', prepareReluX(0, Infinity), reluX);
/** int8 ReLU (requantizing). */
export const relu_i8_ref = unaryKernel('RELU', 'relu', 'i8', 'int8', prepareReluX(0, Infinity), reluX);
