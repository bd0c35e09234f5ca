import type * as pulumi from '@pulumi/pulumi';

/**
 * A transformation that records the `protect` option of every resource a component creates
 * (children inherit the component's transformations).
 */
export function recordProtect(into: Record<string, boolean | undefined>): pulumi.ResourceTransformation {
  return (args) => {
    into[args.name] = args.opts.protect;
    return undefined;
  };
}

export { waitsFor } from '../../lib/pulumi/plan';
