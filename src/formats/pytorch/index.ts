export { readTorchStateDict, readTorchCheckpoint, type TorchCheckpoint } from './state_dict.js';
export type { NamedTensor, NamedDType } from '../named_tensor.js';
export { toFloat32 } from '../named_tensor.js';
