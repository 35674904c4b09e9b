import { rollbackSentence } from './rollback';

describe('rollbackSentence', () => {
  it.each([
    [{ undone: [], failed: [] }, 'Nothing had been created yet. Nothing of this attempt is left; the template can be run again.'],
    [
      { undone: ['deleted https://g/apps/a', 'deleted https://g/gitops/a'], failed: [] },
      'Rolled back: deleted https://g/apps/a, deleted https://g/gitops/a. Nothing of this attempt is left; the template can be run again.',
    ],
    [
      { undone: ['deleted https://g/apps/a'], failed: ['https://g/gitops/a (500 Internal Server Error)'] },
      'Rolled back: deleted https://g/apps/a. Could not roll back https://g/gitops/a (500 Internal Server Error): delete it in GitLab, or run the template again, which removes projects still marked t.',
    ],
  ])('%j', (result, want) => {
    expect(rollbackSentence(result, 't')).toBe(want);
  });
});
