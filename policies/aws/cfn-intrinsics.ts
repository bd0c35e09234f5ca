import { createHash } from 'crypto';

/**
 * Resolves the CloudFormation intrinsics of a synthesized template into the values a deployment
 * of it would have, so policies can be evaluated as IAM will see them. Pseudo parameters take
 * the stack's account, region and partition; IDs that only exist after deployment (endpoint IDs,
 * key IDs, generated names) take stable placeholders derived from the stack and logical ID, in
 * the shape the service gives them (a `vpce-` ID, a CloudFormation-generated
 * `<stack>-<logicalId>-<suffix>` name), so patterns that match real values match these too.
 */

/** A synthesized CloudFormation template, the parts the resolver reads. */
export interface CfnTemplate {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown>; readonly Metadata?: Record<string, unknown> }>;
}

/** Where the template is deployed. */
export interface DeploymentEnv {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly urlSuffix: string;
  /** Values to use for `Ref` of given logical IDs instead of the placeholders. */
  readonly refs?: Readonly<Record<string, string>>;
}

const hex = (seed: string, length: number) => createHash('sha256').update(seed).digest('hex').slice(0, length);
const alnum = (seed: string, length: number) =>
  [...createHash('sha256').update(seed).digest()].slice(0, length).map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');

/** A name CloudFormation would generate for a resource without one: `<stack>-<logicalId>-<suffix>`, within `max` characters. */
function generatedName(env: DeploymentEnv, logicalId: string, max = 64): string {
  const suffix = alnum(`${env.stackName}/${logicalId}`, 12).toUpperCase();
  return `${env.stackName}-${logicalId}`.slice(0, max - suffix.length - 1) + `-${suffix}`;
}

/** The resolver of one deployed template. */
export class DeployedTemplate {
  constructor(
    public readonly template: CfnTemplate,
    public readonly env: DeploymentEnv,
  ) {}

  private resource(logicalId: string) {
    const r = this.template.Resources?.[logicalId];
    if (!r) throw new Error(`${this.env.stackName}: no resource ${logicalId} in the template`);
    return r;
  }

  /** The value of `Ref` on a logical ID or pseudo parameter. */
  ref(name: string): string {
    switch (name) {
      case 'AWS::AccountId':
        return this.env.account;
      case 'AWS::Region':
        return this.env.region;
      case 'AWS::Partition':
        return this.env.partition;
      case 'AWS::URLSuffix':
        return this.env.urlSuffix;
      case 'AWS::StackName':
        return this.env.stackName;
      case 'AWS::NoValue':
        return '';
    }
    const given = this.env.refs?.[name];
    if (given !== undefined) return given;
    const r = this.resource(name);
    const seed = `${this.env.stackName}/${name}`;
    const props = r.Properties ?? {};
    const named = (key: string) => (typeof props[key] === 'string' ? (props[key] as string) : undefined);
    switch (r.Type) {
      case 'AWS::EC2::VPCEndpoint':
        return `vpce-0${hex(seed, 16)}`;
      case 'AWS::EC2::VPC':
        return `vpc-0${hex(seed, 16)}`;
      case 'AWS::ApiGateway::RestApi':
        return alnum(seed, 10);
      case 'AWS::KMS::Key':
        return `${hex(seed, 8)}-${hex(`${seed}1`, 4)}-${hex(`${seed}2`, 4)}-${hex(`${seed}3`, 4)}-${hex(`${seed}4`, 12)}`;
      case 'AWS::IAM::Role':
        return named('RoleName') ?? generatedName(this.env, name);
      case 'AWS::IAM::ManagedPolicy':
        return `arn:${this.env.partition}:iam::${this.env.account}:policy${named('Path') ?? '/'}${named('ManagedPolicyName') ?? generatedName(this.env, name, 128)}`;
      case 'AWS::S3::Bucket':
        return named('BucketName') ?? generatedName(this.env, name, 63).toLowerCase();
      case 'AWS::Logs::LogGroup':
        return named('LogGroupName') ?? generatedName(this.env, name, 512);
      case 'AWS::CloudTrail::Trail':
        return named('TrailName') ?? generatedName(this.env, name, 128);
      case 'AWS::Bedrock::Guardrail':
        return this.getAtt(name, 'GuardrailArn');
      default:
        return generatedName(this.env, name);
    }
  }

  /** The value of `Fn::GetAtt` on a resource attribute. */
  getAtt(logicalId: string, attribute: string): string {
    const { partition, account, region } = this.env;
    const r = this.resource(logicalId);
    const props = r.Properties ?? {};
    const key = `${r.Type}.${attribute}`;
    switch (key) {
      case 'AWS::IAM::Role.Arn':
        return `arn:${partition}:iam::${account}:role${typeof props.Path === 'string' ? props.Path : '/'}${this.ref(logicalId)}`;
      case 'AWS::KMS::Key.Arn':
        return `arn:${partition}:kms:${region}:${account}:key/${this.ref(logicalId)}`;
      case 'AWS::KMS::Key.KeyId':
        return this.ref(logicalId);
      case 'AWS::Bedrock::Guardrail.GuardrailId':
        return alnum(`${this.env.stackName}/${logicalId}`, 12);
      case 'AWS::Bedrock::Guardrail.GuardrailArn':
        return `arn:${partition}:bedrock:${region}:${account}:guardrail/${this.getAtt(logicalId, 'GuardrailId')}`;
      case 'AWS::Bedrock::GuardrailVersion.Version':
        // The first published version; every later one is numbered too.
        return '1';
      case 'AWS::S3::Bucket.Arn':
        return `arn:${partition}:s3:::${this.ref(logicalId)}`;
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:${partition}:logs:${region}:${account}:log-group:${this.ref(logicalId)}:*`;
      case 'AWS::CloudTrail::Trail.Arn':
        return `arn:${partition}:cloudtrail:${region}:${account}:trail/${this.ref(logicalId)}`;
      case 'AWS::SQS::Queue.Arn':
        return `arn:${partition}:sqs:${region}:${account}:${generatedName(this.env, logicalId, 80)}`;
      case 'AWS::Lambda::Function.Arn':
        return `arn:${partition}:lambda:${region}:${account}:function:${typeof props.FunctionName === 'string' ? props.FunctionName : generatedName(this.env, logicalId)}`;
      case 'AWS::ApiGateway::RestApi.RootResourceId':
        return alnum(`${this.env.stackName}/${logicalId}/root`, 10);
      case 'AWS::SSO::PermissionSet.PermissionSetArn':
        return `arn:${partition}:sso:::permissionSet/ssoins-${hex(account, 16)}/ps-${hex(logicalId, 16)}`;
      default:
        return `${logicalId}.${attribute}`;
    }
  }

  /** Resolves every intrinsic in a value (a policy document, a property). */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (!value || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [fn] = keys;
      const arg = o[fn];
      switch (fn) {
        case 'Ref':
          return this.ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
          return this.getAtt(id, attr);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
        }
        case 'Fn::Split': {
          const [sep, text] = arg as [string, unknown];
          return String(this.resolve(text)).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
          return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
            if (name in vars) return String(this.resolve(vars[name]));
            const [id, attr] = name.split('.');
            return attr ? this.getAtt(id, attr) : this.ref(id);
          });
        }
      }
      if (fn.startsWith('Fn::')) throw new Error(`${this.env.stackName}: the access proofs cannot resolve ${fn} (in ${JSON.stringify(value).slice(0, 120)})`);
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(o[k])]));
  }

  /** Logical IDs of the resources of a type, optionally whose construct path matches. */
  idsOf(type: string, path?: RegExp): string[] {
    return Object.entries(this.template.Resources ?? {})
      .filter(([, r]) => r.Type === type && (!path || path.test(String(r.Metadata?.['aws:cdk:path'] ?? ''))))
      .map(([id]) => id);
  }

  /** The resolved properties of a resource. */
  properties(logicalId: string): Record<string, unknown> {
    return this.resolve(this.resource(logicalId).Properties ?? {}) as Record<string, unknown>;
  }
}
