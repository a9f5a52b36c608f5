import { CAPABILITIES, DEFAULT_CAPABILITIES, type Capability, type ServerHandle } from './types.js';

/** What a server supports, and why not where it said so. */
export interface CapabilitySet {
  has(capability: Capability): boolean;
  /** The reason shown for a check that needs `capability`. */
  why(capability: Capability): string;
  list(): Capability[];
}

/** Resolves a server's declaration against the defaults; `harness` adds what the harness itself provides. */
export function resolveCapabilities(declared: ServerHandle['capabilities'], harness: Partial<Record<Capability, boolean>> = {}): CapabilitySet {
  const have = new Set<Capability>(Array.isArray(declared) ? (declared as Capability[]) : DEFAULT_CAPABILITIES);
  const reasons = new Map<Capability, string>();
  for (const [cap, on] of Object.entries(harness) as Array<[Capability, boolean]>) {
    if (on) have.add(cap);
    else have.delete(cap);
  }
  if (declared && !Array.isArray(declared)) {
    for (const [cap, value] of Object.entries(declared) as Array<[Capability, boolean | string]>) {
      if (!(cap in CAPABILITIES)) throw new Error(`unknown capability ${JSON.stringify(cap)}; known: ${Object.keys(CAPABILITIES).join(', ')}`);
      if (value === true) have.add(cap);
      else {
        have.delete(cap);
        if (typeof value === 'string') reasons.set(cap, value);
      }
    }
  }
  return {
    has: (c) => have.has(c),
    why: (c) => {
      const reason = reasons.get(c);
      return `needs '${c}' (${CAPABILITIES[c]})${reason ? `; the server says: ${reason}` : ', which the server does not declare'}`;
    },
    list: () => [...have],
  };
}
