// Codes of the ACT override constant in linear.wgsl and activation.wgsl
// (kept apart from index.ts so that CPU-only code can import it without the WGSL).
export const ACTIVATION_CODE = { none: 0, relu: 1, leakyRelu: 2, elu: 3, tanh: 4, sigmoid: 5 } as const;
export type ActivationName = keyof typeof ACTIVATION_CODE;
