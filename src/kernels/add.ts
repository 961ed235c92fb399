import { prepareAddQuant, scaledInputs, scaledOutput } from './add_sub_quant.js';
import { binaryKernel, prepareBinary } from './binary.js';

/** Float addition with broadcasting. */
export const add_f32_ref = binaryKernel('ADD', 'add', 'f32', 'float32', prepareBinary, (_p, a, b) => Math.fround(a + b));

const addQ = (p: Parameters<typeof scaledInputs>[0], a: number, b: number): number => {
  const [sa, sb] = scaledInputs(p, a, b);
  return scaledOutput(p, sa + sb);
};

/** uint8 addition (TFLite's rescale-to-common-scale scheme). */
export const add_u8_ref = binaryKernel('ADD', 'add', 'u8', 'uint8', prepareAddQuant, addQ);
/** int8 addition. */
export const add_i8_ref = binaryKernel('ADD', 'add', 'i8', 'int8', prepareAddQuant, addQ);
