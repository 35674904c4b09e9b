import { Config } from '@backstage/config';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { checkName, NameCheckDeps } from '../nameCheck';
import { readPlatformSettings } from '../platform';

/**
 * idp:app:check-name — refuses a name that app.yaml refuses, that the
 * catalog has, or that GitLab has in the app or GitOps group, before
 * anything is created. Only reads, so it runs in dry runs too.
 */
export function createCheckNameAction(options: NameCheckDeps & { config: Config }) {
  return createTemplateAction({
    id: 'idp:app:check-name',
    description: 'Refuses an app name that app.yaml forbids or that the catalog or GitLab already has; outputs the owner group\'s name.',
    supportsDryRun: true,
    schema: {
      input: {
        name: (z) => z.string({ description: 'The app name: repository, namespace and host name' }),
        owner: (z) => z.string({ description: 'Entity reference of the owning group, e.g. group:default/team-a' }),
      },
      output: {
        ownerName: (z) => z.string({ description: "The owner group's entity name, as app.yaml's spec.owner" }),
        leftovers: (z) =>
          z.array(z.string(), { description: 'Projects an interrupted scaffold of this name left; idp:app:publish removes them' }),
      },
    },
    async handler(ctx) {
      const p = readPlatformSettings(options.config);
      const { ownerName, leftovers } = await checkName(ctx.input, p, options);
      for (const l of leftovers) {
        ctx.logger.info(`${l.webUrl} was left by an interrupted scaffold of ${ctx.input.name}; publishing removes it first.`);
      }
      ctx.output('ownerName', ownerName);
      ctx.output('leftovers', leftovers.map((l) => l.webUrl));
    },
  });
}
