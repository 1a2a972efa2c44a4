export declare const CHROMIUM_WEBGPU_ARGS: string[];
export declare function findChromium(): Promise<string>;
