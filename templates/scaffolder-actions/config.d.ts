export interface Config {
  /**
   * The platform's settings for the golden path's templates. Templates read
   * them from the idp:platform action's output, never from form parameters,
   * so a user cannot point a scaffold at another GitLab group or registry.
   */
  idp?: {
    gitlab: {
      /** GitLab host, as in integrations.gitlab[].host, e.g. gitlab.com. */
      host: string;
      /** Group (full path) holding the apps' code projects. */
      appGroup: string;
      /** Group (full path) holding the apps' GitOps projects, which Argo CD deploys. */
      gitopsGroup: string;
      /**
       * Visibility of new projects. gitlab.com refuses `internal` for new
       * projects. Default: private.
       */
      visibility?: 'private' | 'internal' | 'public';
    };
    /** Apps are served at <name>.<baseDomain>. */
    baseDomain: string;
    /** Container registry of the apps' images, e.g. 123456789012.dkr.ecr.us-east-2.amazonaws.com. */
    ecrRegistry: string;
    /** Argo CD's web address, for links to an app's Application. */
    argocdUrl: string;
    scaffold?: {
      /**
       * How old (seconds since creation) a project still marked as being
       * scaffolded must be before a new scaffold of the same name may delete
       * it as a leftover of an interrupted one. Younger ones may belong to a
       * scaffold still running. Default: 600.
       */
      leftoverAfterSeconds?: number;
    };
  };
}
