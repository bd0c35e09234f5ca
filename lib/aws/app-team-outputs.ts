import { CfnOutput } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

/** One value an application team consumes. */
export interface AppTeamOutput {
  /** The value (usually a token). */
  readonly value: string;
  /** What it is and how to use it. */
  readonly description: string;
}

/** Outputs published both as stack outputs and SSM parameters. */
export interface AppTeamOutputsProps {
  /** SSM path under which parameters are written, e.g. `/private-ai/prod`. */
  readonly parameterPrefix: string;
  /** Outputs by name (PascalCase): `VpcId` becomes output `VpcId` and parameter `<prefix>/vpc-id`. */
  readonly outputs: Readonly<Record<string, AppTeamOutput>>;
}

/**
 * Publishes the values application teams consume, as CloudFormation outputs (for people and
 * pipelines) and as SSM parameters under a configurable prefix (for programs).
 */
export class AppTeamOutputs extends Construct {
  /** Parameter names by output name. */
  public readonly parameterNames: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: AppTeamOutputsProps) {
    super(scope, id);
    if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(props.parameterPrefix)) {
      throw new Error(`AppTeamOutputs: parameterPrefix must be an SSM path such as /private-ai/prod; received ${JSON.stringify(props.parameterPrefix)}`);
    }
    const names: Record<string, string> = {};
    for (const [name, output] of Object.entries(props.outputs)) {
      new CfnOutput(this, name, { value: output.value, description: output.description }).overrideLogicalId(name);
      const parameterName = `${props.parameterPrefix}/${kebab(name)}`;
      new ssm.StringParameter(this, `${name}Parameter`, {
        parameterName,
        stringValue: output.value,
        description: output.description,
      });
      names[name] = parameterName;
    }
    this.parameterNames = names;
  }
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
