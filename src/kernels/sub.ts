import { prepareAddQuant, scaledInputs, scaledOutput } from './add_sub_quant.js';
import { binaryKernel, prepareBinary } from './binary.js';

/** Float subtraction with broadcasting. */
export const sub_f32_ref = binaryKernel('SUB', 'sub', 'f32', 'float32', prepareBinary, (_p, a, b) => Math.fround(a - b));

const subQ = (p: Parameters<typeof scaledInputs>[0], a: number, b: number): number => {
  const [sa, sb] = scaledInputs(p, a, b);
  return scaledOutput(p, sa - sb);
};

/** uint8 subtraction. */
export const sub_u8_ref = binaryKernel('SUB', 'sub', 'u8', 'uint8', prepareAddQuant, subQ);
/** int8 subtraction. */
export const sub_i8_ref = binaryKernel('SUB', 'sub', 'i8', 'int8', prepareAddQuant, subQ);
