// Activation codes: the `act` uniform of linear.wgsl, activation.wgsl and fused_mlp_gan.wgsl, and the ACT
// override constant of the conv and batchnorm kernels
// (kept apart from index.ts so that CPU-only code can import it without the WGSL).
export const ACTIVATION_CODE = { none: 0, relu: 1, leakyRelu: 2, elu: 3, tanh: 4, sigmoid: 5 } as const;
export type ActivationName = keyof typeof ACTIVATION_CODE;
