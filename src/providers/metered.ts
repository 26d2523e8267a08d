import type { Providers } from './index.ts';
import { type Provider, ProviderError } from './types.ts';

/**
 * Counts and times every call to a provider adapter, and every failure by its ProviderError kind, in one place
 * for all providers: the adapters stay free of metrics, and nothing that calls them has to remember to count.
 */

/** Where the calls are recorded (src/metrics.ts); label values are the provider id, a method name, an error kind. */
export interface ProviderMeter {
  /** `errorKind`: the ProviderError's kind, or `other` for any other throw; absent when the call succeeded. */
  providerCall(provider: string, method: string, seconds: number, errorKind?: string): void;
}

/** The contract's methods (types.ts Provider); anything else on an adapter passes through uncounted. */
const METHODS = new Set<string>([
  'models',
  'prepare',
  'preflight',
  'discardUploads',
  'start',
  'poll',
  'snapshots',
  'events',
  'checkpoints',
  'cancel',
  'complete',
]);

/**
 * The provider with each contract method counted. A Proxy rather than a copy, so optional methods stay absent
 * (`'preflight' in provider` still tells), getters stay live, and an adapter's own extras still work; methods
 * run with the adapter itself as `this`, as its private fields need.
 */
export function meteredProvider(provider: Provider, meter: ProviderMeter): Provider {
  const wrapped = new Map<PropertyKey, { original: unknown; metered: unknown }>();
  return new Proxy(provider, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const cached = wrapped.get(prop);
      // Keyed by the function too: a test that replaces a method gets the replacement counted.
      if (cached?.original === value) return cached.metered;
      const fn = value as (...args: unknown[]) => unknown;
      const metered = METHODS.has(String(prop))
        ? async (...args: unknown[]) => {
            const started = performance.now();
            const took = () => (performance.now() - started) / 1000;
            try {
              const result = await fn.apply(target, args);
              meter.providerCall(target.id, String(prop), took());
              return result;
            } catch (error) {
              meter.providerCall(
                target.id,
                String(prop),
                took(),
                error instanceof ProviderError ? error.kind : 'other',
              );
              throw error;
            }
          }
        : fn.bind(target);
      wrapped.set(prop, { original: value, metered });
      return metered;
    },
  });
}

/** Every configured provider, metered. */
export function meterProviders(providers: Providers, meter: ProviderMeter): Providers {
  const out: Providers = {};
  for (const [id, provider] of Object.entries(providers) as Array<[keyof Providers, Provider]>) {
    out[id] = meteredProvider(provider, meter);
  }
  return out;
}
