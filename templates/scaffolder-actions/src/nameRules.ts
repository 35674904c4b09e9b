import { nameRules } from './nameRules.generated';

const pattern = new RegExp(nameRules.pattern);

/**
 * Why app.yaml would refuse this name, as one sentence that says what to do,
 * or undefined when the name is allowed. Same order as appspec.ValidateName:
 * length, then form, then the platform's reserved names.
 */
export function nameProblem(name: string): string | undefined {
  const { minLength, maxLength, reserved } = nameRules;
  if (name.length < minLength || name.length > maxLength) {
    return `The name "${name}" has ${name.length} characters; choose one of ${minLength} to ${maxLength} characters.`;
  }
  if (!pattern.test(name)) {
    return `The name "${name}" must use only lower-case letters, digits and '-', start with a letter and end with a letter or digit; choose a name like "hello-world".`;
  }
  if ((reserved.names as readonly string[]).includes(name)) {
    return `The name "${name}" is reserved for the platform; choose another name.`;
  }
  const prefix = reserved.prefixes.find((p) => name.startsWith(p));
  if (prefix) {
    return `Names starting with "${prefix}" are reserved for the platform; choose a name without that prefix.`;
  }
  return undefined;
}

const ownerPattern = new RegExp(nameRules.owner.pattern);

/** Why app.yaml would refuse this group name as spec.owner, or undefined. */
export function ownerProblem(ownerName: string): string | undefined {
  const { minLength, maxLength } = nameRules.owner;
  if (ownerName.length < minLength || ownerName.length > maxLength || !ownerPattern.test(ownerName)) {
    return `The owner group "${ownerName}" cannot own an app: app.yaml needs a group name of letters, digits, '-', '_' and '.', starting and ending with a letter or digit (at most ${maxLength} characters); choose another group.`;
  }
  return undefined;
}
