import { Config } from '@backstage/config';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { readPlatformSettings } from '../platform';

/**
 * idp:platform — the platform settings from Backstage config. Templates take
 * the GitLab host and groups, registry, base domain and Argo CD URL from
 * this step's output, which a task's parameters cannot change.
 */
export function createPlatformAction(options: { config: Config }) {
  return createTemplateAction({
    id: 'idp:platform',
    description: "Outputs the platform's settings (the idp key of Backstage config): GitLab host and groups, visibility, base domain, registry, Argo CD URL.",
    supportsDryRun: true,
    schema: {
      output: {
        gitlabHost: (z) => z.string(),
        appGroup: (z) => z.string(),
        gitopsGroup: (z) => z.string(),
        visibility: (z) => z.enum(['private', 'internal', 'public']),
        baseDomain: (z) => z.string(),
        ecrRegistry: (z) => z.string(),
        argocdUrl: (z) => z.string(),
      },
    },
    async handler(ctx) {
      // Read per run, so a config reload applies to the next task.
      const p = readPlatformSettings(options.config);
      ctx.output('gitlabHost', p.gitlab.host);
      ctx.output('appGroup', p.gitlab.appGroup);
      ctx.output('gitopsGroup', p.gitlab.gitopsGroup);
      ctx.output('visibility', p.gitlab.visibility);
      ctx.output('baseDomain', p.baseDomain);
      ctx.output('ecrRegistry', p.ecrRegistry);
      ctx.output('argocdUrl', p.argocdUrl);
    },
  });
}
