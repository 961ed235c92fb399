export type { Kernel, KernelDType } from './kernel.js';
export { kernels, kernelByName, selectKernel } from './registry.js';
