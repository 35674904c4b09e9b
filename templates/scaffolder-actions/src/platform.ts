import { Config } from '@backstage/config';

/** The platform settings that every golden-path template shares. */
export type PlatformSettings = {
  gitlab: {
    host: string;
    appGroup: string;
    gitopsGroup: string;
    visibility: 'private' | 'internal' | 'public';
  };
  baseDomain: string;
  ecrRegistry: string;
  argocdUrl: string;
  /** Seconds after which an in-progress project counts as a leftover. */
  leftoverAfterSeconds: number;
};

const visibilities = ['private', 'internal', 'public'] as const;

/** Reads the `idp` key; a missing required value throws, naming the key. */
export function readPlatformSettings(config: Config): PlatformSettings {
  const idp = config.getConfig('idp');
  const visibility = idp.getOptionalString('gitlab.visibility') ?? 'private';
  if (!(visibilities as readonly string[]).includes(visibility)) {
    throw new Error(`idp.gitlab.visibility must be one of ${visibilities.join(', ')}, not ${visibility}`);
  }
  return {
    gitlab: {
      host: idp.getString('gitlab.host'),
      appGroup: idp.getString('gitlab.appGroup'),
      gitopsGroup: idp.getString('gitlab.gitopsGroup'),
      visibility: visibility as PlatformSettings['gitlab']['visibility'],
    },
    baseDomain: idp.getString('baseDomain'),
    ecrRegistry: idp.getString('ecrRegistry'),
    argocdUrl: idp.getString('argocdUrl').replace(/\/+$/, ''),
    leftoverAfterSeconds: idp.getOptionalNumber('scaffold.leftoverAfterSeconds') ?? 600,
  };
}
