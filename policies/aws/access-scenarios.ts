/**
 * Who can do what on the AWS platform, as a table a security reviewer can read: each row is a
 * request (principal, action, resource, the request context that matters) and the decision AWS
 * must reach for it. The access proofs (access-proofs.ts) evaluate every row, per target, against
 * every policy layer AWS evaluates, taken from the synthesized templates and the organisation
 * guard; `npm run synth` fails when a decision differs.
 *
 * Rows name things symbolically (the ModelUser session, the target's bedrock-runtime endpoint,
 * an allowlisted model...); the proofs resolve them for each target of the config.
 */

/** Who makes the request. */
export type Who =
  /** A session of the ModelUser permission set in the target account. */
  | 'modelUser'
  /** A session of the Auditor permission set. */
  | 'auditor'
  /** A session of the PlatformAdmin permission set. */
  | 'platformAdmin'
  /** A session of the PromptReviewer permission set (created when `sso.promptReviewers` has groups). */
  | 'promptReviewer'
  /** A session of the SecurityResponder permission set (created when `sso.securityResponders` has AWS groups). */
  | 'securityResponder'
  /** A session of the ModelUser permission set of the first user in `detection.suspendedUsers` (the other model-user rows are another user's). */
  | 'suspendedModelUser'
  /** The model-invoker function's role. */
  | 'invoker'
  /** The invocation-logging setter function's role (the custom resource that owns the setting). */
  | 'loggingSetter'
  /** An application role listed in the target's `apiCallerRoleArns`. */
  | 'apiCaller'
  /** Any other role of the account, granted `*` on `*` (the strongest identity a workload or admin can hold). */
  | 'accountAdmin'
  /** The CDK bootstrap CloudFormation execution role, bootstrapped with the scoped execution policy the blueprint generates. */
  | 'cfnExecution'
  /** The first of the configured bootstrap roles (`aws.deployment.bootstrapRoleNames`), granted `*` on `*`. */
  | 'bootstrapper';

/** How the request reaches AWS. */
export type Via =
  /** Through the target's bedrock-runtime interface endpoint (its policy is a layer). */
  | 'runtimeEndpoint'
  /** Through an interface endpoint the organisation does not own (its policy unknown, assumed to allow all). */
  | 'foreignEndpoint'
  /** From outside any VPC endpoint. */
  | 'internet'
  /** Through the target's execute-api interface endpoint (its policy is a layer). */
  | 'executeApiEndpoint'
  /** Made by Bedrock on the caller's behalf (forward access session), e.g. decrypting the guardrail. */
  | 'bedrock'
  /** Through the target's bedrock control-plane interface endpoint (its policy is a layer). */
  | 'controlPlaneEndpoint';

/** What the request acts on. */
export type Resource =
  /** Each allowlisted chat model usable from the target (foundation model in its region, or the profile). */
  | 'allowlistedModel'
  /** Each allowlisted embedding model usable from the target. */
  | 'allowlistedEmbeddingModel'
  /** Each destination region of each allowlisted geography profile of a chat model, as Bedrock evaluates the call there. */
  | 'profileDestination'
  /** A foundation model that is not on the allowlist, in the target region. */
  | 'unlistedModel'
  /** An allowlisted foundation model in a region outside `aws.allowedRegions`. */
  | 'modelOutsideRegions'
  /** POST /invoke of the target's private API. */
  | 'privateApi'
  /** POST /embed of the target's private API. */
  | 'privateEmbedApi'
  /** The target's CloudTrail trail. */
  | 'trail'
  /** An object in the target's audit bucket. */
  | 'auditObject'
  /** A model invocation log (prompts and responses) in the target's prompt-log bucket. */
  | 'promptLogObject'
  /** The target's guardrail. */
  | 'guardrail'
  /** The KMS key the guardrail is encrypted with. */
  | 'guardrailKey'
  /** The CDK bootstrap deploy role of the target. */
  | 'cdkDeployRole'
  /** An IAM user of the account (service-specific credentials are created for users). */
  | 'iamUser'
  /** A project of the OpenAI-compatible `bedrock-mantle` endpoint. */
  | 'mantleProject'
  /** A `bedrock-mantle` project in a region outside `aws.allowedRegions`. */
  | 'mantleProjectOutsideRegions'
  /** A workspace of `aws-external-anthropic`. */
  | 'anthropicWorkspace'
  /** The invocation-logging setter function (its role is on the path the organisation guard trusts). */
  | 'loggingSetterFunction'
  /** The managed policy of the invocation-logging setter's role. */
  | 'loggingSetterPolicy'
  /** The role Bedrock delivers invocation logs to CloudWatch Logs with. */
  | 'deliveryRole'
  /** The CDK bootstrap CloudFormation execution role of the target. */
  | 'cdkExecutionRole'
  /** A new role named like the CloudFormation execution role. */
  | 'lookalikeExecutionRole'
  /** The log group the prompts and responses (or, where the target does not own prompt logging, the trail) go to. */
  | 'evidenceLogGroup'
  /** The target's audit bucket. */
  | 'auditBucket'
  /** The KMS key of the audit trail and bucket. */
  | 'auditKey'
  /** The alias of that key. */
  | 'auditKeyAlias'
  /** The target's kill-switch parameter, which the model invoker reads (`<aws.ssmPrefix>/<target>/model-access`). */
  | 'killSwitchParameter'
  /** Another parameter of the target: the private API URL app teams read. */
  | 'otherParameter'
  /** An alarm of the target's misuse detection. */
  | 'detectionAlarm'
  /** The log group of the model invoker's audit records. */
  | 'auditLogGroup'
  /** The log group of the target's prompts and responses. */
  | 'promptLogGroup'
  /**
   * Resources of another organisation named like the blueprint's, where the permission sets grant by
   * name pattern in the caller's own account rather than by exact ARN: each is owned by an account
   * outside the organisation, and its resource policy admits everyone, so only the caller's
   * identity policy can refuse it. An object of a bucket named like the target's audit buckets
   * (`<org>-<name>-audit-<target account>`: bucket names are global, anyone may take a free one).
   */
  | 'foreignAuditObject'
  /** An object of a bucket of another organisation named like the target's prompt-log buckets. */
  | 'foreignPromptLogObject'
  /** A KMS key of another organisation's account with the target's model-data alias (aliases are per account). */
  | 'foreignModelDataKey'
  /** POST /invoke of a private API of another organisation's account. */
  | 'foreignPrivateApi'
  /** Actions without resource-level permissions. */
  | 'anyResource';

/** The guardrail a model call names (`bedrock:GuardrailIdentifier`). */
export type GuardrailUse = 'published' | 'draft' | 'unversioned' | 'otherAccount' | 'none';

export interface Scenario {
  /** Stable ID, shown in the report. */
  readonly id: string;
  readonly who: Who;
  readonly action: string;
  readonly resource: Resource;
  readonly via?: Via;
  /** For model calls: which guardrail the request names. @default 'published' */
  readonly guardrail?: GuardrailUse;
  /** Further request context, e.g. `iam:ServiceSpecificCredentialServiceName`. */
  readonly context?: Readonly<Record<string, string>>;
  readonly expect: 'allowed' | 'denied';
  /**
   * The direct SDK path of model users is open only through the endpoints listed in
   * `aws.targets[].bedrockRuntimeEndpointIds`; where a target lists none, a row marked here
   * expects a denial instead (the path is closed until they are configured).
   */
  readonly needsDirectPath?: boolean;
  /**
   * Needs the direct SDK path open somewhere in the fleet, not in this target: where no target lists
   * endpoints, a row marked here expects a denial instead. The permission sets are the same for
   * every target, and what cannot be pinned to an endpoint (Bedrock decrypting the guardrail on the
   * caller's behalf) is granted for every account of the fleet once any target opens the path; the
   * calls that need it stay pinned to the listed endpoints.
   */
  readonly needsAnyDirectPath?: boolean;
  /**
   * A model call the kill switch stops: while `detection.suspendModelAccess` is true, a row marked
   * here expects a denial instead, by the explicit Deny of the permission sets, the invoker's role
   * and the organisation guard.
   */
  readonly suspendable?: boolean;
  /** Why the decision must be what it is: the promise the row proves. */
  readonly why: string;
}

const CONVERSE = 'bedrock:InvokeModel';
const STREAM = 'bedrock:InvokeModelWithResponseStream';

export const SCENARIOS: readonly Scenario[] = [
  // Model users calling Bedrock directly with the SDK.
  { id: 'model-user-converse', suspendable: true, who: 'modelUser', action: CONVERSE, resource: 'allowlistedModel', via: 'runtimeEndpoint', expect: 'allowed', needsDirectPath: true, why: 'Model users call the allowlisted models through their own endpoint with the published guardrail.' },
  { id: 'model-user-converse-stream', suspendable: true, who: 'modelUser', action: STREAM, resource: 'allowlistedModel', via: 'runtimeEndpoint', expect: 'allowed', needsDirectPath: true, why: 'ConverseStream is authorised as InvokeModelWithResponseStream.' },
  { id: 'model-user-profile-destinations', suspendable: true, who: 'modelUser', action: CONVERSE, resource: 'profileDestination', via: 'runtimeEndpoint', expect: 'allowed', needsDirectPath: true, why: 'A geography profile routes to its destination regions, and IAM and SCPs are evaluated in each: every one must allow the call.' },
  { id: 'model-user-no-guardrail', who: 'modelUser', action: CONVERSE, resource: 'allowlistedModel', via: 'runtimeEndpoint', guardrail: 'none', expect: 'denied', why: 'Every model call goes through a guardrail.' },
  { id: 'model-user-draft-guardrail', who: 'modelUser', action: CONVERSE, resource: 'allowlistedModel', via: 'runtimeEndpoint', guardrail: 'draft', expect: 'denied', why: 'The working draft of a guardrail can be edited at any time; only a published, numbered version is reviewed and immutable.' },
  { id: 'model-user-unversioned-guardrail', who: 'modelUser', action: CONVERSE, resource: 'allowlistedModel', via: 'runtimeEndpoint', guardrail: 'unversioned', expect: 'denied', why: 'A guardrail named without a version runs its draft.' },
  { id: 'model-user-foreign-guardrail', who: 'modelUser', action: CONVERSE, resource: 'allowlistedModel', via: 'runtimeEndpoint', guardrail: 'otherAccount', expect: 'denied', why: "A guardrail of another account is not the organisation's." },
  { id: 'model-user-foreign-endpoint', who: 'modelUser', action: CONVERSE, resource: 'allowlistedModel', via: 'foreignEndpoint', expect: 'denied', why: "Credentials used through an endpoint the organisation does not own (for example in another account's VPC) reach nothing." },
  { id: 'model-user-internet', who: 'modelUser', action: CONVERSE, resource: 'allowlistedModel', via: 'internet', expect: 'denied', why: 'AI traffic never crosses the public internet.' },
  { id: 'model-user-unlisted-model', who: 'modelUser', action: CONVERSE, resource: 'unlistedModel', via: 'runtimeEndpoint', expect: 'denied', why: 'Only allowlisted models may be called.' },
  // Through the other region's own endpoint, as such a call would go; the target's endpoint would not route it.
  { id: 'model-user-outside-regions', who: 'modelUser', action: CONVERSE, resource: 'modelOutsideRegions', via: 'foreignEndpoint', expect: 'denied', why: 'Data residency: no model call outside the allowed regions.' },
  { id: 'model-user-direct-embedding', who: 'modelUser', action: CONVERSE, resource: 'allowlistedEmbeddingModel', via: 'runtimeEndpoint', guardrail: 'none', expect: 'denied', why: 'Bedrock takes no guardrail with embedding models, so model users reach them only through the private API, which screens the input with the guardrail first.' },
  { id: 'model-user-direct-embedding-guardrail', who: 'modelUser', action: CONVERSE, resource: 'allowlistedEmbeddingModel', via: 'runtimeEndpoint', guardrail: 'published', expect: 'denied', why: 'Naming the published guardrail does not screen an embedding call (Bedrock applies no guardrail to embedding models), so the permission set grants model users the chat models only.' },
  { id: 'model-user-applies-guardrail', suspendable: true, who: 'modelUser', action: 'bedrock:ApplyGuardrail', resource: 'guardrail', via: 'runtimeEndpoint', expect: 'allowed', needsDirectPath: true, why: 'Model users screen content with the guardrail of their target through their own endpoint.' },
  { id: 'model-user-guardrail-key', who: 'modelUser', action: 'kms:Decrypt', resource: 'guardrailKey', via: 'bedrock', expect: 'allowed', needsAnyDirectPath: true, why: 'Bedrock decrypts the CMK-encrypted guardrail with the caller\'s permissions; without kms:Decrypt the call fails.' },
  // Other roles of the account: the organisation guard holds them to the allowlist and the regions, and its kill-switch statement stops them too.
  { id: 'account-role-converse', suspendable: true, who: 'accountAdmin', action: CONVERSE, resource: 'allowlistedModel', via: 'runtimeEndpoint', expect: 'allowed', why: "A workload role granted Bedrock by its own policy calls the allowlisted models through the target's endpoint with the guardrail; only the organisation guard reaches such a role, so the kill switch must be in it too." },
  // The private API.
  { id: 'model-user-private-api', who: 'modelUser', action: 'execute-api:Invoke', resource: 'privateApi', via: 'executeApiEndpoint', expect: 'allowed', why: 'Model users call the private API through its endpoint.' },
  { id: 'model-user-embeddings-api', who: 'modelUser', action: 'execute-api:Invoke', resource: 'privateEmbedApi', via: 'executeApiEndpoint', expect: 'allowed', why: 'Model users call the embeddings route through the same endpoint.' },
  { id: 'api-caller-private-api', who: 'apiCaller', action: 'execute-api:Invoke', resource: 'privateApi', via: 'executeApiEndpoint', expect: 'allowed', why: 'Application roles listed in the config call the private API.' },
  { id: 'other-principal-private-api', who: 'accountAdmin', action: 'execute-api:Invoke', resource: 'privateApi', via: 'executeApiEndpoint', expect: 'denied', why: 'In the same account a resource-policy Allow is enough on its own, so the API must admit only model users and the listed roles, whatever else a principal holds.' },
  { id: 'model-user-private-api-internet', who: 'modelUser', action: 'execute-api:Invoke', resource: 'privateApi', via: 'internet', expect: 'denied', why: 'The private API is reachable only through its endpoint.' },
  // The model-invoker function behind the API.
  { id: 'invoker-converse', suspendable: true, who: 'invoker', action: CONVERSE, resource: 'allowlistedModel', via: 'runtimeEndpoint', expect: 'allowed', why: 'The function calls the allowlisted models with the published guardrail.' },
  { id: 'invoker-profile-destinations', suspendable: true, who: 'invoker', action: CONVERSE, resource: 'profileDestination', via: 'runtimeEndpoint', expect: 'allowed', why: 'The function\'s cross-region calls pass in every destination region.' },
  { id: 'invoker-applies-guardrail', suspendable: true, who: 'invoker', action: 'bedrock:ApplyGuardrail', resource: 'guardrail', via: 'runtimeEndpoint', expect: 'allowed', why: 'The function screens embedding input with the guardrail before it embeds.' },
  { id: 'invoker-embeds', suspendable: true, who: 'invoker', action: CONVERSE, resource: 'allowlistedEmbeddingModel', via: 'runtimeEndpoint', guardrail: 'none', expect: 'allowed', why: 'The function embeds with the allowlisted embedding models after screening the input with ApplyGuardrail (Bedrock takes no guardrail with them).' },
  { id: 'invoker-guardrail-key', who: 'invoker', action: 'kms:Decrypt', resource: 'guardrailKey', via: 'bedrock', expect: 'allowed', why: 'Bedrock decrypts the CMK-encrypted guardrail with the function\'s permissions.' },
  { id: 'invoker-no-guardrail', who: 'invoker', action: CONVERSE, resource: 'allowlistedModel', via: 'runtimeEndpoint', guardrail: 'none', expect: 'denied', why: 'The function cannot call a model without the guardrail.' },
  { id: 'invoker-unlisted-model', who: 'invoker', action: CONVERSE, resource: 'unlistedModel', via: 'runtimeEndpoint', expect: 'denied', why: 'The function calls only allowlisted models.' },
  // Auditors read evidence and change nothing.
  { id: 'auditor-converse', who: 'auditor', action: CONVERSE, resource: 'allowlistedModel', via: 'runtimeEndpoint', expect: 'denied', why: 'Auditors read evidence; they do not use models.' },
  { id: 'auditor-read-evidence', who: 'auditor', action: 's3:GetObject', resource: 'auditObject', expect: 'allowed', why: 'Auditors read the audit evidence.' },
  { id: 'auditor-reads-prompts', who: 'auditor', action: 's3:GetObject', resource: 'promptLogObject', expect: 'denied', why: 'Auditors read the trail and the audit records; reading prompt content is a separate grant.' },
  { id: 'prompt-reviewer-reads-prompts', who: 'promptReviewer', action: 's3:GetObject', resource: 'promptLogObject', expect: 'allowed', why: 'Prompt reviewers read the prompts and responses, and every read is recorded as a data event.' },
  { id: 'model-user-reads-prompts', who: 'modelUser', action: 's3:GetObject', resource: 'promptLogObject', expect: 'denied', why: "Model users do not read other people's prompts." },
  { id: 'auditor-delete-evidence', who: 'auditor', action: 's3:DeleteObject', resource: 'auditObject', expect: 'denied', why: 'Nobody reading evidence can delete it.' },
  { id: 'auditor-overwrite-evidence', who: 'auditor', action: 's3:PutObject', resource: 'auditObject', expect: 'denied', why: 'Nobody reading evidence can alter it.' },
  { id: 'auditor-stop-trail', who: 'auditor', action: 'cloudtrail:StopLogging', resource: 'trail', expect: 'denied', why: 'Auditors cannot stop the audit.' },
  { id: 'auditor-delete-invocation-logging', who: 'auditor', action: 'bedrock:DeleteModelInvocationLoggingConfiguration', resource: 'anyResource', expect: 'denied', why: 'Auditors cannot switch off prompt logging.' },
  // Bedrock API keys and model-serving surfaces that bypass bedrock-runtime.
  { id: 'bedrock-api-key-call', who: 'accountAdmin', action: 'bedrock:CallWithBearerToken', resource: 'anyResource', expect: 'denied', why: 'Bedrock API keys are shared secrets, not SSO sign-in.' },
  { id: 'bedrock-api-key-create', who: 'accountAdmin', action: 'iam:CreateServiceSpecificCredential', resource: 'iamUser', context: { 'iam:ServiceSpecificCredentialServiceName': 'bedrock.amazonaws.com' }, expect: 'denied', why: 'Long-term Bedrock API keys are service-specific credentials; none may be created.' },
  { id: 'mantle-inference', who: 'accountAdmin', action: 'bedrock-mantle:CreateInference', resource: 'mantleProject', expect: 'denied', why: 'The OpenAI-compatible endpoint bypasses the guardrail condition and the allowlist keys of bedrock-runtime.' },
  { id: 'model-user-mantle-outside-regions', who: 'modelUser', action: 'bedrock-mantle:CreateInference', resource: 'mantleProjectOutsideRegions', expect: 'denied', why: "Data residency covers every model-serving service, not bedrock: alone: the permission set's region deny pins bedrock-mantle too, whatever the organisation guard does." },
  { id: 'external-anthropic-inference', who: 'accountAdmin', action: 'aws-external-anthropic:CreateInference', resource: 'anthropicWorkspace', expect: 'denied', why: 'This surface names no model in IAM, so the allowlist cannot be enforced on it.' },
  { id: 'batch-unlisted-model', who: 'accountAdmin', action: 'bedrock:CreateModelInvocationJob', resource: 'unlistedModel', expect: 'denied', why: 'Batch inference is held to the allowlist too.' },
  { id: 'batch-outside-regions', who: 'accountAdmin', action: 'bedrock:CreateModelInvocationJob', resource: 'modelOutsideRegions', expect: 'denied', why: 'Batch inference is held to the allowed regions too.' },
  // The audit trail, prompt logging and the guardrail change only through CloudFormation.
  { id: 'admin-stop-trail', who: 'accountAdmin', action: 'cloudtrail:StopLogging', resource: 'trail', expect: 'denied', why: 'Nobody switches the audit off by hand.' },
  { id: 'admin-delete-trail', who: 'accountAdmin', action: 'cloudtrail:DeleteTrail', resource: 'trail', expect: 'denied', why: 'Nobody deletes the trail by hand.' },
  { id: 'admin-update-trail', who: 'accountAdmin', action: 'cloudtrail:PutEventSelectors', resource: 'trail', expect: 'denied', why: 'Nobody narrows what the trail records by hand.' },
  { id: 'admin-delete-invocation-logging', who: 'accountAdmin', action: 'bedrock:DeleteModelInvocationLoggingConfiguration', resource: 'anyResource', expect: 'denied', why: 'Nobody switches prompt logging off by hand.' },
  { id: 'admin-change-invocation-logging', who: 'accountAdmin', action: 'bedrock:PutModelInvocationLoggingConfiguration', resource: 'anyResource', expect: 'denied', why: 'Nobody redirects prompt logging by hand.' },
  { id: 'admin-delete-guardrail', who: 'accountAdmin', action: 'bedrock:DeleteGuardrail', resource: 'guardrail', expect: 'denied', why: 'Nobody deletes the guardrail by hand.' },
  { id: 'admin-weaken-guardrail', who: 'accountAdmin', action: 'bedrock:UpdateGuardrail', resource: 'guardrail', expect: 'denied', why: 'Nobody weakens the guardrail by hand.' },
  { id: 'admin-replaces-setter-code', who: 'accountAdmin', action: 'lambda:UpdateFunctionCode', resource: 'loggingSetterFunction', expect: 'denied', why: 'New code in the function that owns prompt logging would run as a role the organisation guard trusts.' },
  { id: 'platform-admin-delete-guardrail', who: 'platformAdmin', action: 'bedrock:DeleteGuardrail', resource: 'guardrail', expect: 'denied', why: 'Platform admins change guardrails through the config and a deployment, not by hand.' },
  { id: 'platform-admin-stop-trail', who: 'platformAdmin', action: 'cloudtrail:StopLogging', resource: 'trail', expect: 'denied', why: 'Platform admins cannot stop the audit.' },
  { id: 'platform-admin-converse', who: 'platformAdmin', action: CONVERSE, resource: 'allowlistedModel', via: 'runtimeEndpoint', expect: 'denied', why: 'Running the platform does not include using models.' },
  { id: 'platform-admin-deploy', who: 'platformAdmin', action: 'sts:AssumeRole', resource: 'cdkDeployRole', expect: 'allowed', why: 'Platform admins deploy through the CDK bootstrap roles.' },
  { id: 'cloudformation-updates-guardrail', who: 'cfnExecution', action: 'bedrock:UpdateGuardrail', resource: 'guardrail', expect: 'allowed', why: 'CloudFormation is the one change path of the guardrail.' },
  { id: 'cloudformation-updates-trail', who: 'cfnExecution', action: 'cloudtrail:PutEventSelectors', resource: 'trail', expect: 'allowed', why: 'CloudFormation is the one change path of the trail.' },
  { id: 'cloudformation-creates-user', who: 'cfnExecution', action: 'iam:CreateUser', resource: 'iamUser', expect: 'denied', why: 'A deployment cannot mint long-term credentials, whatever a template asks for.' },
  { id: 'cloudformation-leaves-organization', who: 'cfnExecution', action: 'organizations:LeaveOrganization', resource: 'anyResource', expect: 'denied', why: 'A deployment cannot take the account out of the organisation and its guards.' },
  { id: 'setter-applies-invocation-logging', who: 'loggingSetter', action: 'bedrock:PutModelInvocationLoggingConfiguration', resource: 'anyResource', via: 'controlPlaneEndpoint', expect: 'allowed', why: "The blueprint's custom resource owns the prompt-logging setting and must still be able to apply it, through its endpoint." },
  { id: 'setter-passes-delivery-role', who: 'loggingSetter', action: 'iam:PassRole', resource: 'deliveryRole', context: { 'iam:PassedToService': 'bedrock.amazonaws.com' }, expect: 'allowed', why: 'Bedrock validates the delivery role when the setting is put; the setter must be able to pass it.' },
  // Nobody else can become the change path or silence the evidence around it.
  { id: 'admin-invokes-setter', who: 'accountAdmin', action: 'lambda:InvokeFunction', resource: 'loggingSetterFunction', expect: 'denied', why: 'A forged Delete event would switch prompt logging off under a role the organisation guard trusts.' },
  { id: 'cloudformation-invokes-setter', who: 'cfnExecution', action: 'lambda:InvokeFunction', resource: 'loggingSetterFunction', expect: 'allowed', why: 'CloudFormation runs the custom resource with the execution role.' },
  { id: 'admin-edits-setter-policy', who: 'accountAdmin', action: 'iam:CreatePolicyVersion', resource: 'loggingSetterPolicy', expect: 'denied', why: 'Granting the trusted role more would make it a way around the guard.' },
  { id: 'admin-repermissions-delivery-role', who: 'accountAdmin', action: 'iam:DetachRolePolicy', resource: 'deliveryRole', expect: 'denied', why: 'Without its policy Bedrock cannot deliver the prompt logs.' },
  { id: 'admin-creates-lookalike-exec-role', who: 'accountAdmin', action: 'iam:CreateRole', resource: 'lookalikeExecutionRole', expect: 'denied', why: 'A role named like the execution role would be trusted as the change path.' },
  { id: 'admin-retrusts-exec-role', who: 'accountAdmin', action: 'iam:UpdateAssumeRolePolicy', resource: 'cdkExecutionRole', expect: 'denied', why: 'Whoever the execution role trusts acts as the change path.' },
  { id: 'bootstrapper-updates-exec-role', who: 'bootstrapper', action: 'iam:UpdateAssumeRolePolicy', resource: 'cdkExecutionRole', expect: 'allowed', why: 'The configured bootstrap roles keep the bootstrap stack up to date.' },
  { id: 'admin-creates-guardrail', who: 'accountAdmin', action: 'bedrock:CreateGuardrail', resource: 'anyResource', expect: 'denied', why: 'Model users accept any published guardrail of their account, so every guardrail there comes through the change path.' },
  { id: 'admin-publishes-guardrail-version', who: 'accountAdmin', action: 'bedrock:CreateGuardrailVersion', resource: 'guardrail', expect: 'denied', why: 'A version published by hand would be accepted as a published guardrail.' },
  { id: 'admin-deletes-evidence-logs', who: 'accountAdmin', action: 'logs:DeleteLogGroup', resource: 'evidenceLogGroup', expect: 'denied', why: 'The logs the evidence goes to stay, whatever the trail and the setting say.' },
  { id: 'admin-opens-audit-bucket', who: 'accountAdmin', action: 's3:PutBucketPolicy', resource: 'auditBucket', expect: 'denied', why: 'A new bucket policy could drop the grants the trail and Bedrock write with, or open the evidence.' },
  { id: 'admin-deletes-audit-key-alias', who: 'accountAdmin', action: 'kms:DeleteAlias', resource: 'auditKeyAlias', expect: 'denied', why: 'Without its alias the audit key would fall outside the guard that keeps it enabled.' },
  { id: 'admin-disables-audit-key', who: 'accountAdmin', action: 'kms:DisableKey', resource: 'auditKey', expect: 'denied', why: 'A disabled key stops the trail from writing and makes the evidence unreadable.' },
  // Security responders pull the kill switch's fast path by hand, test alarms and run the playbooks' queries; nothing more.
  { id: 'responder-pulls-switch', who: 'securityResponder', action: 'ssm:PutParameter', resource: 'killSwitchParameter', expect: 'allowed', why: 'Security responders stop model access through the private API in seconds, without a deployment, by writing suspended to the kill switch.' },
  { id: 'responder-reads-switch', who: 'securityResponder', action: 'ssm:GetParameter', resource: 'killSwitchParameter', expect: 'allowed', why: 'Responders check what the switch says before and after they pull it.' },
  { id: 'responder-puts-other-parameter', who: 'securityResponder', action: 'ssm:PutParameter', resource: 'otherParameter', expect: 'denied', why: 'The switch is the one parameter responders write: rewriting what app teams read (the private API URL) could redirect their calls.' },
  { id: 'responder-tests-alarm', who: 'securityResponder', action: 'cloudwatch:SetAlarmState', resource: 'detectionAlarm', expect: 'allowed', why: "Responders test that an alarm's alert reaches the security contacts." },
  { id: 'responder-queries-audit-records', who: 'securityResponder', action: 'logs:StartQuery', resource: 'auditLogGroup', expect: 'allowed', why: "Responders run the playbooks' saved queries over the invoker's audit records." },
  { id: 'responder-queries-prompts', who: 'securityResponder', action: 'logs:StartQuery', resource: 'promptLogGroup', expect: 'denied', why: 'Responding to an incident does not include reading prompts and responses: that is the prompt reviewers\' separate grant.' },
  { id: 'responder-converse', who: 'securityResponder', action: CONVERSE, resource: 'allowlistedModel', via: 'runtimeEndpoint', expect: 'denied', why: 'Responders stop model access; they do not use models.' },
  { id: 'responder-private-api', who: 'securityResponder', action: 'execute-api:Invoke', resource: 'privateApi', via: 'executeApiEndpoint', expect: 'denied', why: 'Responders do not call the private API either.' },
  { id: 'model-user-pulls-switch', who: 'modelUser', action: 'ssm:PutParameter', resource: 'killSwitchParameter', expect: 'denied', why: 'Whom the switch stops cannot turn it back.' },
  // The permission sets grant by name pattern in the caller's own account: another organisation's resources of the same names stay out of reach.
  { id: 'auditor-reads-foreign-lookalike-bucket', who: 'auditor', action: 's3:GetObject', resource: 'foreignAuditObject', expect: 'denied', why: "Auditors read buckets named like the audit buckets only in their own account (aws:ResourceAccount): another organisation's bucket of such a name, open to everyone, is neither evidence nor theirs to read." },
  { id: 'prompt-reviewer-reads-foreign-lookalike-bucket', who: 'promptReviewer', action: 's3:GetObject', resource: 'foreignPromptLogObject', expect: 'denied', why: "Prompt reviewers read prompt-log buckets of their own account only, whatever another organisation names its buckets." },
  { id: 'model-user-foreign-lookalike-key', who: 'modelUser', action: 'kms:Decrypt', resource: 'foreignModelDataKey', via: 'bedrock', expect: 'denied', why: "Model users decrypt the guardrail keys of their own account only: another organisation's key with the same alias, whose key policy admits everyone, is not theirs." },
  { id: 'model-user-foreign-private-api', who: 'modelUser', action: 'execute-api:Invoke', resource: 'foreignPrivateApi', expect: 'denied', why: "Model users invoke the private APIs of their own account only: prompts sent to another organisation's API with the same routes, admitting everyone, would leave the organisation." },
  // One person suspended (detection.suspendedUsers); the other model-user rows are another user's session, unaffected.
  { id: 'suspended-user-private-api', who: 'suspendedModelUser', action: 'execute-api:Invoke', resource: 'privateApi', via: 'executeApiEndpoint', expect: 'denied', why: "A suspended user's sessions, credentials already issued included, no longer reach the private API, although its resource policy admits model users." },
  { id: 'suspended-user-converse', who: 'suspendedModelUser', action: CONVERSE, resource: 'allowlistedModel', via: 'runtimeEndpoint', expect: 'denied', why: "A suspended user's sessions no longer call models directly either." },
];
