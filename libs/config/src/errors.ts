import { quoteValue } from './quote.js';

/**
 * Any problem with the network config or its Backend section. `field` names the culprit as written in
 * flannel's docs ("SubnetLen", "Backend.VNI", "Networks[1]"); it is "" when the document as a whole is
 * at fault (not JSON, not an object).
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly field: string;
  readonly detail: string;

  constructor(field: string, detail: string, options?: ErrorOptions) {
    super(field === '' ? `config: ${detail}` : `config: ${field}: ${detail}`, options);
    this.field = field;
    this.detail = detail;
  }
}

/**
 * `Backend.Type` names no backend we know (or is missing). The message names the field, the value
 * (cut to a few dozen characters) and the types we know.
 */
export class UnknownBackendError extends ConfigError {
  override name = 'UnknownBackendError';
  readonly backendType: string;

  constructor(backendType: string, known: readonly string[]) {
    const what = backendType === '' ? 'missing' : `unknown backend type ${quoteValue(backendType)}`;
    super('Backend.Type', `${what} (known types: ${known.join(', ')})`);
    this.backendType = backendType;
  }
}
