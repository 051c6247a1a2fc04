import { isJsonObject, type JsonObject } from './json.js';

/** A stored delegate config, parsed; undefined when the file is not a config with a string `type`. */
export function parseStoredDelegate(text: string): (JsonObject & { type: string }) | undefined {
  try {
    const config: unknown = JSON.parse(text);
    return isJsonObject(config) && typeof config['type'] === 'string' ? (config as JsonObject & { type: string }) : undefined;
  } catch {
    return undefined;
  }
}
