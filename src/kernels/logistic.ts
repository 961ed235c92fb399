import type { Graph, Node } from '../graph/index.js';
import { intRange } from '../graph/index.js';
import { inputTensor, nodeLabel, outputTensor, quantOf, roundf } from './common.js';
import { lutKernel, unaryKernel } from './unary.js';

const f = Math.fround;

/** Float logistic sigmoid. */
export const logistic_f32_ref = unaryKernel('LOGISTIC', 'logistic', 'f32', 'float32', () => null, (_p, x) =>
  f(1 / (1 + Math.exp(-x))),
);

/**
 * TFLite's 8-bit logistic lookup table (PopulateLookupTable): dequantize each of the 256 inputs,
 * apply the float sigmoid, requantize with rounding and clamp.
 */
function sigmoidTable(node: Node, g: Graph): Uint8Array {
  const where = nodeLabel(node);
  const x = inputTensor(g, node, 0);
  const y = outputTensor(g, node);
  const xq = quantOf(x, where);
  const yq = quantOf(y, where);
  const [min, max] = intRange(x.dtype);
  const [omin, omax] = intRange(y.dtype);
  const inv = f(1 / yq.scale);
  const table = new Uint8Array(256);
  for (let v = min; v <= max; v++) {
    const deq = f(xq.scale * (v - xq.zeroPoint));
    const s = f(1 / f(1 + f(Math.exp(-deq))));
    const q = roundf(f(s * inv)) + yq.zeroPoint;
    table[v & 0xff] = Math.max(omin, Math.min(omax, q)) & 0xff;
  }
  return table;
}

/** uint8 logistic via lookup table. */
export const logistic_u8_ref = lutKernel('LOGISTIC', 'logistic', 'u8', 'uint8', sigmoidTable);
/** int8 logistic via lookup table. */
export const logistic_i8_ref = lutKernel('LOGISTIC', 'logistic', 'i8', 'int8', sigmoidTable);
