'use strict';

// Validates entities as the catalog does when it ingests them: the catalog's
// entity policies, then the kind's own validator (the scaffolder's for Template).
const {
  EntityPolicies,
  DefaultNamespaceEntityPolicy,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  componentEntityV1alpha1Validator,
  apiEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
} = require('@backstage/catalog-model');
const { templateEntityV1beta3Validator } = require('@backstage/plugin-scaffolder-common');

const policy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);

const kindValidators = {
  Template: templateEntityV1beta3Validator,
  Component: componentEntityV1alpha1Validator,
  API: apiEntityV1alpha1Validator,
  Resource: resourceEntityV1alpha1Validator,
  System: systemEntityV1alpha1Validator,
};

// Throws with the validator's message when the entity would be rejected.
async function validateEntity(entity) {
  const checked = await policy.enforce(structuredClone(entity));
  if (!checked) throw new Error('rejected by the catalog entity policies');
  const validator = kindValidators[entity.kind];
  if (!validator) throw new Error(`no validator for kind ${entity.kind}`);
  if (!(await validator.check(checked))) {
    throw new Error(`${entity.apiVersion} ${entity.kind} is not handled by its validator`);
  }
  return checked;
}

module.exports = { validateEntity };
