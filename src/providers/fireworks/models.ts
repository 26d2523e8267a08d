import { openModelsOf } from '../../data/open-models.ts';
import { type ModelInfo, ProviderError } from '../types.ts';
import { type FireworksContext, isStatus, toFireworksError } from './client.ts';
import { baseModelName } from './names.ts';

/**
 * Base models. The form offers our catalogue's Fireworks models (src/data/open-models.ts): the
 * API's own list is every model in the Model Library, hundreds of pages with serving-only models
 * among them, far from a cheap call. What can really be tuned is asked of the API per model, once,
 * before anything is created: `GET /v1/accounts/fireworks/models/<id>` says `tunable`.
 */
export function catalogue(): ModelInfo[] {
  return openModelsOf('fireworks').map((m) => ({ id: m.id, family: m.id, label: m.label, methods: [...m.methods] }));
}

/** A base model the API confirmed: its full name, and whether it is a LoRA to continue from. */
export interface BaseModel {
  name: string;
  /** A tuned LoRA (HF_PEFT_ADDON): the job continues it through `warmStartFrom`, not `baseModel`. */
  warmStart: boolean;
}

interface WireModel {
  name?: string;
  kind?: string;
  tunable?: boolean;
  displayName?: string;
}

/** Checks a base model once per process: models do not stop being tunable between two starts. */
export function createModelCheck(ctx: FireworksContext): (model: string) => Promise<BaseModel> {
  const known = new Map<string, BaseModel>();
  return async (model) => {
    const name = baseModelName(model);
    const cached = known.get(name);
    if (cached) return cached;
    let wire: WireModel;
    try {
      wire = await ctx.http.request<WireModel>({ method: 'GET', path: `/v1/${name}` });
    } catch (error) {
      // Fireworks answers 404 for a model that does not exist and for one this key cannot see
      // (another account's private model): either way, not one this job can use.
      if (isStatus(error, 404)) {
        throw new ProviderError('not_found', `Fireworks has no base model ${name}.`, {
          hint: 'Pick a base model from the form’s list; Fireworks’ Model Library (filter “Tunable”) shows what can be tuned.',
          status: 404,
        });
      }
      throw toFireworksError(error);
    }
    const warmStart = wire.kind === 'HF_PEFT_ADDON';
    if (!warmStart && wire.tunable === false) {
      throw new ProviderError('invalid_request', `Fireworks cannot fine-tune ${name}: the model is not tunable.`, {
        hint: 'Pick another base model; Fireworks’ Model Library (filter “Tunable”) shows which can be tuned.',
      });
    }
    const checked = { name: wire.name ?? name, warmStart };
    known.set(name, checked);
    return checked;
  };
}
