/**
 * The golden path's scaffolder actions as a module of Backstage's new
 * backend system: `backend.add(import('@vibe-coder-biz/plugin-scaffolder-backend-module-idp'))`.
 *
 * @packageDocumentation
 */
export { scaffolderModuleIdp as default } from './module';
export { createPlatformAction } from './actions/platform';
export { createCheckNameAction } from './actions/checkName';
export { createPublishAction } from './actions/publish';
export { IN_PROGRESS_TOPIC } from './gitlab/projects';
