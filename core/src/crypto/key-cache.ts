import type { KeyObject } from 'node:crypto';

/**
 * A bounded cache of node:crypto key objects by hex key. Building a KeyObject costs about as much as
 * a verification, and the same keys sign again and again; the bound keeps a stream of junk keys
 * from growing memory.
 */
export class KeyObjectCache {
  readonly #map = new Map<string, KeyObject>();

  constructor(private readonly max = 4096) {}

  get(hex: string, make: () => KeyObject): KeyObject {
    let k = this.#map.get(hex);
    if (!k) {
      k = make();
      if (this.#map.size >= this.max) this.#map.delete(this.#map.keys().next().value as string);
      this.#map.set(hex, k);
    }
    return k;
  }
}
