import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createCheckNameAction } from './checkName';

// No GitLab answers on this address: every case here must be refused before
// the action asks GitLab anything.
const config = new ConfigReader({
  integrations: { gitlab: [{ host: '127.0.0.1:9', baseUrl: 'http://127.0.0.1:9', apiBaseUrl: 'http://127.0.0.1:9/api/v4', token: 't' }] },
  idp: {
    gitlab: { host: '127.0.0.1:9', appGroup: 'apps', gitopsGroup: 'gitops' },
    baseDomain: 'apps.example.com',
    ecrRegistry: '123456789012.dkr.ecr.us-east-2.amazonaws.com',
    argocdUrl: 'https://argocd.example.com',
  },
});

function entity(kind: string, name: string, namespace = 'default'): Entity {
  return { apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name, namespace }, spec: {} };
}

function action(entities: Entity[] = []) {
  return createCheckNameAction({
    config,
    integrations: ScmIntegrations.fromConfig(config),
    catalog: catalogServiceMock({ entities }),
    auth: mockServices.auth(),
  });
}

async function refusal(input: { name: string; owner: string }, entities: Entity[] = []): Promise<string> {
  const ctx = createMockActionContext({ input });
  try {
    await action(entities).handler(ctx);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${input.name} was not refused`);
}

const owner = 'group:default/team-a';

describe('idp:app:check-name refuses before GitLab', () => {
  it.each([
    ['x', 'The name "x" has 1 characters; choose one of 2 to 40 characters.'],
    ['Payments', `The name "Payments" must use only lower-case letters, digits and '-', start with a letter and end with a letter or digit; choose a name like "hello-world".`],
    ['monitoring', 'The name "monitoring" is reserved for the platform; choose another name.'],
    ['aws-billing', 'Names starting with "aws-" are reserved for the platform; choose a name without that prefix.'],
  ])('the name %s', async (name, want) => {
    expect(await refusal({ name, owner })).toBe(want);
  });

  it.each([
    ['user:default/jane', 'The owner user:default/jane is not a group; pick the team that owns the app.'],
    ['group:default/team_', `The owner group "team_" cannot own an app: app.yaml needs a group name of letters, digits, '-', '_' and '.', starting and ending with a letter or digit (at most 63 characters); choose another group.`],
    ['group:', 'The owner "group:" is not an entity reference; pick the owning team, e.g. group:default/team-a.'],
  ])('the owner %s', async (o, want) => {
    expect(await refusal({ name: 'payments', owner: o })).toBe(want);
  });

  it.each(['Component', 'API', 'System', 'Resource'])('a %s of that name in the default namespace', async (kind) => {
    const ref = `${kind.toLocaleLowerCase('en-US')}:default/payments`;
    expect(await refusal({ name: 'payments', owner }, [entity(kind, 'payments')])).toBe(
      `The name "payments" is already taken in the catalog by ${ref}; choose another name.`,
    );
  });
});
