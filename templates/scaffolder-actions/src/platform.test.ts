import { ConfigReader } from '@backstage/config';
import { readPlatformSettings } from './platform';

const idp = {
  gitlab: { host: 'gitlab.com', appGroup: 'acme/apps', gitopsGroup: 'acme/gitops' },
  baseDomain: 'apps.acme.dev',
  ecrRegistry: '123456789012.dkr.ecr.us-east-2.amazonaws.com',
  argocdUrl: 'https://argocd.acme.dev/',
};

describe('readPlatformSettings', () => {
  it('reads the idp key, with private visibility and a 600 s leftover age by default', () => {
    expect(readPlatformSettings(new ConfigReader({ idp }))).toEqual({
      gitlab: { ...idp.gitlab, visibility: 'private' },
      baseDomain: idp.baseDomain,
      ecrRegistry: idp.ecrRegistry,
      argocdUrl: 'https://argocd.acme.dev',
      leftoverAfterSeconds: 600,
    });
  });

  it('names the missing key', () => {
    const { baseDomain: _, ...noDomain } = idp;
    expect(() => readPlatformSettings(new ConfigReader({ idp: noDomain }))).toThrow(/idp\.baseDomain/);
  });

  it('refuses an unknown visibility', () => {
    const config = new ConfigReader({ idp: { ...idp, gitlab: { ...idp.gitlab, visibility: 'secret' } } });
    expect(() => readPlatformSettings(config)).toThrow('idp.gitlab.visibility must be one of private, internal, public');
  });
});
