import { copyKernel } from './copy.js';

/** Squeeze of a float tensor (data unchanged). */
export const squeeze_f32_ref = copyKernel('SQUEEZE', 'squeeze', 'f32', 'float32');
/** Squeeze of a uint8 tensor. */
export const squeeze_u8_ref = copyKernel('SQUEEZE', 'squeeze', 'u8', 'uint8');
/** Squeeze of an int8 tensor. */
export const squeeze_i8_ref = copyKernel('SQUEEZE', 'squeeze', 'i8', 'int8');
