import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createCheckNameAction } from './actions/checkName';
import { createPlatformAction } from './actions/platform';
import { createPublishAction } from './actions/publish';

/** The golden path's scaffolder actions: idp:platform, idp:app:check-name, idp:app:publish. */
export const scaffolderModuleIdp = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'idp',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
      },
      async init({ scaffolder, config, auth, catalog }) {
        const integrations = ScmIntegrations.fromConfig(config);
        scaffolder.addActions(
          createPlatformAction({ config }),
          createCheckNameAction({ config, integrations, catalog, auth }),
          createPublishAction({ config, integrations }),
        );
      },
    });
  },
});
