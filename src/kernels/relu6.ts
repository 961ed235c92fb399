import { prepareReluX, reluX } from './relu.js';
import { unaryKernel } from './unary.js';

/** Float ReLU6. */
export const relu6_f32_ref = unaryKernel('RELU6', 'relu6', 'f32', 'float32', () => null, (_p, x) =>
  x < 0 ? 0 : x > 6 ? 6 : x,
);
/** uint8 ReLU6 (requantizing). */
export const relu6_u8_ref = unaryKernel('RELU6', 'relu6', 'u8', 'uint8', prepareReluX(0, 6), reluX);
/** int8 ReLU6 (requantizing). */
export const relu6_i8_ref = unaryKernel('RELU6', 'relu6', 'i8', 'int8', prepareReluX(0, 6), reluX);
