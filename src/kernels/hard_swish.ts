import type { Graph, Node } from '../graph/index.js';
import { intRange } from '../graph/index.js';
import { UnsupportedError } from '../errors.js';
import { inputTensor, nodeLabel, outputTensor, quantOf } from './common.js';
import {
  downScaleInt32ToInt16Multiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  sdhm16,
  shiftLeft16,
  srdhm16,
  wrap16,
} from './quant_math.js';
import { unaryKernel } from './unary.js';

const f = Math.fround;

/** Float hard-swish: x · relu6(x + 3) / 6. */
export const hardswish_f32_ref = unaryKernel('HARD_SWISH', 'hardswish', 'f32', 'float32', () => null, (_p, x) => {
  const r = Math.min(6, Math.max(0, f(x + 3)));
  return f(f(x * r) / 6);
});

/** TFLite HardSwishParams: int16 fixed-point multipliers of the "relu-ish" factor and of the output. */
interface HardSwishQ {
  inZp: number;
  outZp: number;
  reluishMult: number;
  reluishExp: number;
  outMult: number;
  outExp: number;
  min: number;
  max: number;
}

function prepareQ(node: Node, g: Graph): HardSwishQ {
  const where = nodeLabel(node);
  const xq = quantOf(inputTensor(g, node, 0), where);
  const y = outputTensor(g, node);
  const yq = quantOf(y, where);
  const hiresInputScale = f(f(1 / 128) * f(xq.scale));
  const reluishScale = f(3 / 32768);
  const out = quantizeMultiplier(f(hiresInputScale / f(yq.scale)));
  if (out.shift > 0) throw new UnsupportedError(`${where}: output scale too small for quantized hard-swish`);
  const rel = quantizeMultiplier(f(hiresInputScale / reluishScale));
  const [min, max] = intRange(y.dtype);
  return {
    inZp: xq.zeroPoint,
    outZp: yq.zeroPoint,
    reluishMult: downScaleInt32ToInt16Multiplier(rel.multiplier),
    reluishExp: rel.shift,
    outMult: downScaleInt32ToInt16Multiplier(out.multiplier),
    outExp: out.shift,
    min,
    max,
  };
}

/** TFLite's quantized HardSwish on one value, all in int16 fixed point. */
function hardSwishQ(p: HardSwishQ, x: number): number {
  const inputValue = wrap16(x - p.inZp);
  const hires = wrap16(inputValue * 128);
  const preshiftOut = srdhm16(hires, p.outMult);
  let reluish = hires;
  if (p.reluishExp > 0) reluish = shiftLeft16(reluish, p.reluishExp - 1);
  reluish = srdhm16(reluish, p.reluishMult);
  if (p.reluishExp > 0) reluish = shiftLeft16(reluish, 1);
  if (p.reluishExp < 0) reluish = roundingDivideByPOT(reluish, -p.reluishExp);
  reluish = wrap16((reluish + (1 << 15)) >> 1);
  const preshiftOutput = sdhm16(reluish, preshiftOut);
  let v = wrap16(roundingDivideByPOT(preshiftOutput, -p.outExp) + p.outZp);
  v = v > p.max ? p.max : v < p.min ? p.min : v;
  return v;
}

/** uint8 hard-swish (TFLite fixed-point arithmetic). */
export const hardswish_u8_ref = unaryKernel('HARD_SWISH', 'hardswish', 'u8', 'uint8', prepareQ, hardSwishQ);
/** int8 hard-swish. */
export const hardswish_i8_ref = unaryKernel('HARD_SWISH', 'hardswish', 'i8', 'int8', prepareQ, hardSwishQ);
