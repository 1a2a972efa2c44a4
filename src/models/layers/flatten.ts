// Flatten and Unflatten: nn.Flatten() and nn.Unflatten(1, (C, H, W)). Views:
// the next layer reads the same buffer with another shape, so they make no
// stage, no kernel and no tensor.
import { checkPositive } from './linear.js';
import { flatShape, imageShape, LayerConfigError, registerView, showShape } from './layer.js';

declare module './layer.js' {
  interface LayerSpecs {
    flatten: FlattenLayer;
    unflatten: UnflattenLayer;
  }
}

export interface FlattenLayer {
  type: 'flatten';
}

export interface UnflattenLayer {
  type: 'unflatten';
  channels: number;
  height: number;
  width: number;
}

export const Flatten = (): FlattenLayer => ({ type: 'flatten' });
export const Unflatten = (channels: number, height: number, width: number): UnflattenLayer => ({ type: 'unflatten', channels, height, width });

export const flattenModule = registerView<FlattenLayer>({
  type: 'flatten',
  json: { Flatten: { fields: [], make: () => Flatten() } },
  describe: () => 'Flatten()',
  view: (_l, input) => flatShape(input.features),
});

export const unflattenModule = registerView<UnflattenLayer>({
  type: 'unflatten',
  json: {
    Unflatten: {
      fields: [['channels', true, 'number'], ['height', true, 'number'], ['width', true, 'number']],
      make: (f) => Unflatten(f.channels as number, f.height as number, f.width as number),
    },
  },
  describe: (l) => `Unflatten(${l.channels}, ${l.height}, ${l.width})`,
  view(l, input, where) {
    const desc = `${where} (Unflatten(${l.channels}, ${l.height}, ${l.width}))`;
    checkPositive(desc, [['channels', l.channels], ['height', l.height], ['width', l.width]]);
    if (input.image) throw new LayerConfigError(`${desc}: expects flat features but gets an image ${showShape(input)}`);
    if (l.channels * l.height * l.width !== input.features) {
      throw new LayerConfigError(`${desc}: needs ${l.channels * l.height * l.width} features but gets ${input.features}`);
    }
    return imageShape(l.channels, l.height, l.width);
  },
});
