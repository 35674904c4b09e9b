import { JsonObject, JsonValue } from '@backstage/types';
import { ActionContext } from '@backstage/plugin-scaffolder-node';

/** What runAction needs of a Backstage action: its handler. */
export type HandlerOf = {
  id: string;
  // The GitLab module builds its actions against an older
  // plugin-scaffolder-node; only the context's shape matters here.
  handler: (ctx: never) => Promise<void>;
};

/**
 * Runs another action's handler inside this one, with a child context whose
 * input is ours to choose and whose outputs are collected and returned.
 * Checkpoints run their function every time: publish is all-or-nothing, so
 * a step resumed after a restart must not reuse a token of a project that
 * rollback has since deleted.
 */
export async function runAction(
  action: HandlerOf,
  ctx: ActionContext<JsonObject, JsonObject>,
  input: JsonObject,
): Promise<Record<string, JsonValue>> {
  const outputs: Record<string, JsonValue> = {};
  const child: ActionContext<JsonObject, JsonObject> = {
    ...ctx,
    input,
    output: (name, value) => {
      if (value !== undefined) outputs[String(name)] = value;
    },
    checkpoint: async <T extends JsonValue | void>(opts: { key: string; fn: () => Promise<T> | T }) => opts.fn(),
  };
  await (action.handler as (c: ActionContext<JsonObject, JsonObject>) => Promise<void>)(child);
  return outputs;
}
