// esbuild bundles each .wgsl file as its source text (loader: text).
declare module '*.wgsl' {
  const source: string;
  export default source;
}
