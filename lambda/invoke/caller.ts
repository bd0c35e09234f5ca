/**
 * Who is calling, from the identity API Gateway puts in the request context under IAM
 * authorization. The audit trail names a caller by IAM ARN only; a role or user ID on its own
 * (`AROA...:session`) is not an ARN, so such a caller is recorded as `unknown caller` together with
 * whatever the context does say.
 */

/** The ARN the audit names when the request context carries no usable one. */
export const UNKNOWN_CALLER = 'unknown caller';

export interface Caller {
  /** The caller's IAM ARN, or UNKNOWN_CALLER. */
  readonly arn: string;
  /** For an unknown caller: the identity fields the context did carry, cut to 256 characters each. */
  readonly known?: Readonly<Record<string, string>>;
}

// IAM users, roots and assumed-role sessions, in any partition.
const IAM_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::\d{12}:[\x21-\x7e]{1,2000}$/;
const KNOWN_FIELDS = ['userArn', 'caller', 'user', 'accountId', 'principalOrgId', 'accessKey'] as const;
// Fields that identify a principal; an account ID or access key alone does not say who called.
const PRINCIPAL_FIELDS = ['userArn', 'caller', 'user'];

/**
 * The caller of a request, or undefined when the context names no principal at all (the API is
 * then not using IAM authorization, and the request must be refused).
 */
export function callerOf(identity: unknown): Caller | undefined {
  const fields = (typeof identity === 'object' && identity !== null ? identity : {}) as Record<string, unknown>;
  const known: Record<string, string> = {};
  for (const name of KNOWN_FIELDS) {
    const value = fields[name];
    if (typeof value === 'string' && value.trim().length > 0) {
      known[name] = value.slice(0, 256);
    }
  }
  if (!PRINCIPAL_FIELDS.some((name) => name in known)) {
    return undefined;
  }
  const userArn = fields.userArn;
  if (typeof userArn === 'string' && IAM_ARN.test(userArn)) {
    return { arn: userArn };
  }
  return { arn: UNKNOWN_CALLER, known };
}
