// The data room's error: a dataset, file or drawing that cannot be used as given.
import { ConfigError } from '../runtime/errors.js';

export class DataError extends ConfigError {
  override name = 'DataError';
}
