import { mulberry32, seedOf } from '../../graph/random.js';

/**
 * Supplies one parameter of the unfolded network by name, in PyTorch layout: conv weights OIHW
 * (depthwise `[C, 1, kH, kW]`), linear weights `[out, in]`, biases and batch-norm vectors `[C]`.
 *
 * Names are torchvision state_dict keys for the torchvision layout (`features.0.0.weight`,
 * `features.0.1.running_var`, `classifier.1.bias`) and TF-slim variable names for the slim layout
 * (`MobilenetV1/Conv2d_0/weights`, `MobilenetV1/Conv2d_0/BatchNorm/moving_variance`); a TF-slim provider
 * still hands the values over in the PyTorch layout. The returned array must hold exactly
 * `product(shape)` values.
 */
export type WeightSource = (name: string, shape: number[]) => Float32Array;

/**
 * Deterministic random weights: each parameter depends only on `seed` and its name, so graphs of the
 * same variant are identical. Conv and linear weights are He-uniform (fan-in), batch-norm statistics and
 * affine terms are drawn near their neutral values so that folding is exercised and activations stay finite.
 */
export function seededWeights(seed = 0): WeightSource {
  return (name, shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const rand = mulberry32(seedOf(`${seed}:${name}`));
    const normal = (): number => {
      const u = 1 - rand();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
    };
    const out = new Float32Array(n);
    const leaf = name.slice(Math.max(name.lastIndexOf('.'), name.lastIndexOf('/')) + 1);
    if (shape.length > 1) {
      // uniform with He's variance 2 / fan-in (cheaper than normal draws for millions of weights)
      const limit = Math.sqrt(6 / (n / shape[0]!));
      for (let i = 0; i < n; i++) out[i] = (2 * rand() - 1) * limit;
    } else if (/^(running_var|moving_variance)$/.test(leaf)) {
      for (let i = 0; i < n; i++) out[i] = 0.5 + rand();
    } else if (/^(weight|gamma)$/.test(leaf)) {
      for (let i = 0; i < n; i++) out[i] = 0.5 + 0.5 * rand();
    } else {
      for (let i = 0; i < n; i++) out[i] = 0.1 * normal();
    }
    return out;
  };
}
