import { Aws } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { principalConditions, runtimeEndpointStatements, type ModelScope } from './bedrock-policies';
import type { EndpointSpec } from './private-network';

/** Control-plane actions the platform's own functions call through the `bedrock` endpoint. */
export const BEDROCK_CONTROL_PLANE_ACTIONS = [
  'bedrock:GetModelInvocationLoggingConfiguration',
  'bedrock:PutModelInvocationLoggingConfiguration',
  'bedrock:DeleteModelInvocationLoggingConfiguration',
  'bedrock:GetGuardrail',
  'bedrock:ListGuardrails',
  'bedrock:GetFoundationModel',
  'bedrock:ListFoundationModels',
  'bedrock:GetInferenceProfile',
  'bedrock:ListInferenceProfiles',
];

/**
 * The interface endpoints of the platform and their policies: bedrock-runtime pinned to the
 * allowlist, and every other endpoint limited to principals of this account (or organisation)
 * and to the actions the platform's functions and callers use.
 */
export function platformEndpoints(scope: ModelScope, organizationId?: string): EndpointSpec[] {
  const conditions = principalConditions(organizationId);
  const ownPrincipals = (sid: string, actions: string[], resources = ['*']) =>
    new iam.PolicyStatement({ sid, principals: [new iam.AnyPrincipal()], actions, resources, conditions });
  return [
    { id: 'BedrockRuntime', service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME, statements: runtimeEndpointStatements(scope, organizationId) },
    { id: 'Bedrock', service: ec2.InterfaceVpcEndpointAwsService.BEDROCK, statements: [ownPrincipals('BedrockControlPlaneForPlatform', BEDROCK_CONTROL_PLANE_ACTIONS)] },
    { id: 'Sts', service: ec2.InterfaceVpcEndpointAwsService.STS, statements: [ownPrincipals('StsForThisAccount', ['sts:AssumeRole', 'sts:GetCallerIdentity'])] },
    { id: 'Kms', service: ec2.InterfaceVpcEndpointAwsService.KMS, statements: [ownPrincipals('KmsForThisAccount', ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'])] },
    // The model invoker reads the kill switch (its model-access parameter) through it, by the
    // endpoint's own DNS name. No private DNS: in an existing VPC that already has an SSM endpoint
    // with private DNS, a second one would fail to deploy, and answering for ssm.<region> VPC-wide
    // with this GetParameter-only policy would break Session Manager and every other SSM user there.
    {
      id: 'Ssm',
      service: ec2.InterfaceVpcEndpointAwsService.SSM,
      privateDnsEnabled: false,
      statements: [ownPrincipals('ReadParametersOfThisAccount', ['ssm:GetParameter'])],
    },
    { id: 'Logs', service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS, statements: [ownPrincipals('LogsForThisAccount', ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'])] },
    {
      id: 'XRay',
      service: ec2.InterfaceVpcEndpointAwsService.XRAY,
      statements: [ownPrincipals('XRayForThisAccount', ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'])],
    },
    {
      id: 'ExecuteApi',
      service: ec2.InterfaceVpcEndpointAwsService.APIGATEWAY,
      statements: [ownPrincipals('PrivateApisOfThisAccount', ['execute-api:Invoke'], [`arn:${Aws.PARTITION}:execute-api:${Aws.REGION}:${Aws.ACCOUNT_ID}:*`])],
    },
  ];
}

/**
 * The S3 gateway endpoint's policy: this account's principals to this account's buckets, and
 * CloudFormation's response bucket, which custom-resource functions answer through.
 */
export function s3GatewayStatements(organizationId?: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'OwnBucketsOfThisAccount',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:GetBucketLocation'],
      resources: ['*'],
      conditions: { ...principalConditions(organizationId), StringEqualsIfExists: { 'aws:ResourceAccount': Aws.ACCOUNT_ID } },
    }),
    new iam.PolicyStatement({
      sid: 'CustomResourceResponsesToCloudFormation',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [`arn:${Aws.PARTITION}:s3:::cloudformation-custom-resource-response-*/*`],
    }),
  ];
}
