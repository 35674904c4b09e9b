import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createCheckNameAction } from '../actions/checkName';
import { IN_PROGRESS_TOPIC } from '../gitlab/projects';
import { collect, Fake, startFake } from './fake';

jest.setTimeout(30_000);

let fake: Fake;
beforeAll(async () => {
  fake = await startFake();
});
afterAll(async () => {
  await fake?.stop();
});

function entity(kind: string, name: string, namespace = 'default'): Entity {
  return { apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name, namespace }, spec: {} };
}

const catalog = [entity('Group', 'orders'), entity('User', 'orders'), entity('Component', 'orders', 'other'), entity('Component', 'billing')];

async function check(name: string, isDryRun = false) {
  // createMockActionContext drops isDryRun, so it is set on its result.
  const ctx = {
    ...createMockActionContext({
      input: { name, owner: 'group:default/team-a' },
    }),
    isDryRun,
  };
  const action = createCheckNameAction({
    config: fake.config,
    integrations: fake.integrations,
    catalog: catalogServiceMock({ entities: catalog }),
    auth: mockServices.auth(),
  });
  await action.handler(ctx as never);
  return collect(ctx.output);
}

async function total(): Promise<number> {
  return ((await fake.control('GET', '/requests')) as { total: number }).total;
}

describe('idp:app:check-name against the GitLab fake', () => {
  it('passes a free name (a Group, a User or another namespace with that name do not take it) and outputs the owner name', async () => {
    expect(await check('orders')).toEqual({ ownerName: 'team-a', leftovers: [] });
  });

  it('checks in a dry run too', async () => {
    await fake.control('POST', '/projects', { namespace: 'apps', path: 'dry' });
    await expect(check('dry', true)).rejects.toThrow('The name "dry" is taken');
  });

  it('refuses a catalog name before asking GitLab', async () => {
    await fake.control('DELETE', '/requests');
    await expect(check('billing')).rejects.toThrow('The name "billing" is already taken in the catalog by component:default/billing; choose another name.');
    expect(await total()).toBe(0);
  });

  it.each(['apps', 'gitops'])('refuses a project in the %s group', async (group) => {
    const name = `in-${group}`;
    await fake.control('POST', '/projects', { namespace: group, path: name });
    await expect(check(name)).rejects.toThrow(`The name "${name}" is taken: GitLab already has the project ${fake.baseUrl}/${group}/${name}; choose another name.`);
  });

  it('reports the leftovers of an interrupted scaffold as cleanable', async () => {
    await fake.control('POST', '/projects', { namespace: 'gitops', path: 'left', topics: [IN_PROGRESS_TOPIC] });
    expect(await check('left')).toEqual({ ownerName: 'team-a', leftovers: [`${fake.baseUrl}/gitops/left`] });
  });

  it('says when GitLab cannot be asked', async () => {
    await fake.control('POST', '/faults', { Endpoint: 'GET /projects/:id', Status: 503, Times: 1 });
    await expect(check('unreachable')).rejects.toThrow(/^Could not look up the GitLab project gitops\/unreachable: /);
    await fake.control('DELETE', '/faults');
  });
});
