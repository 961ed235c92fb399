import { copyKernel } from './copy.js';

/** Reshape of a float tensor (data unchanged). */
export const reshape_f32_ref = copyKernel('RESHAPE', 'reshape', 'f32', 'float32');
/** Reshape of a uint8 tensor. */
export const reshape_u8_ref = copyKernel('RESHAPE', 'reshape', 'u8', 'uint8');
/** Reshape of an int8 tensor. */
export const reshape_i8_ref = copyKernel('RESHAPE', 'reshape', 'i8', 'int8');
