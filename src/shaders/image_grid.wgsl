// image_grid.wgsl — draws a rows × cols grid of grayscale images straight
// from a storage buffer into a render target (a canvas's current texture),
// so that G's samples reach the screen without a CPU round trip.
//
//   vs_main: one full-screen triangle, 3 vertices, no vertex buffer
//   fs_main: canvas pixel p → grid pixel g = floor(p · grid / canvas) (nearest,
//            so a canvas k times the grid's size shows each image pixel as k × k);
//            g → (row, col, y, x) with `pad` pixels before every cell and after the last;
//            colour = t = clamp((v + 1) / 2, 0, 1) as gray (1 − t when invert = 1),
//            written as is (a non-sRGB target shows v = 1 as 255); padding = pad_color.
// Grid size in pixels: cols · (width + pad) + pad by rows · (height + pad) + pad.
// Bindings (n = rows · cols images, H = height, W = width):
//   params (uniform, below)
//   images (n, H · W) row-major: image k = row · cols + col, pixel y · W + x, values in [−1, 1]
// A cell whose image lies past the end of `images` shows pad_color.

struct ImageGridParams {
  rows: u32,
  cols: u32,
  height: u32,         // H, image pixels
  width: u32,          // W
  pad: u32,            // grid pixels between cells and around the grid
  canvas_width: u32,   // render target size in pixels
  canvas_height: u32,
  invert: u32,         // 1: ink dark on light (v = 1 is black)
  pad_r: f32,          // padding colour, linear [0, 1]
  pad_g: f32,
  pad_b: f32,
}

@group(0) @binding(0) var<uniform> params: ImageGridParams;
@group(0) @binding(1) var<storage, read> images: array<f32>;  // (n, H · W)

@vertex
fn vs_main(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {
  // (−1, −1), (3, −1), (−1, 3): covers the clip square [−1, 1]².
  let xy = vec2<f32>(f32((i << 1u) & 2u), f32(i & 2u)) * 2.0 - 1.0;
  return vec4<f32>(xy, 0.0, 1.0);
}

@fragment
fn fs_main(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
  let p = params;
  let pad_color = vec4<f32>(p.pad_r, p.pad_g, p.pad_b, 1.0);
  let cell = vec2<u32>(p.width + p.pad, p.height + p.pad);
  let grid = vec2<u32>(p.cols, p.rows) * cell + vec2<u32>(p.pad);
  let canvas = vec2<f32>(f32(p.canvas_width), f32(p.canvas_height));
  // position.xy is the pixel centre (i + 0.5); nearest grid pixel.
  let g = vec2<u32>(floor(position.xy * vec2<f32>(grid) / canvas));
  if (g.x < p.pad || g.y < p.pad || g.x >= grid.x || g.y >= grid.y) {
    return pad_color;
  }
  let q = g - vec2<u32>(p.pad);
  let col_row = q / cell;
  let xy = q % cell;
  if (xy.x >= p.width || xy.y >= p.height) {
    return pad_color;
  }
  let pixels = p.height * p.width;
  let k = col_row.y * p.cols + col_row.x;
  let i = k * pixels + xy.y * p.width + xy.x;
  if (i >= arrayLength(&images)) {
    return pad_color;
  }
  var t = clamp((images[i] + 1.0) * 0.5, 0.0, 1.0);
  if (p.invert != 0u) {
    t = 1.0 - t;
  }
  return vec4<f32>(t, t, t, 1.0);
}
