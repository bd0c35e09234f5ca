/**
 * Names Google Cloud derives from the project, region and configuration: service agents,
 * endpoints, model resource names. Pure functions, shared by the components, the program and
 * the tests, so each format is written once.
 */

/** The Vertex AI API host of a region, e.g. `europe-west4-aiplatform.googleapis.com`. */
export function vertexApiHost(region: string): string {
  return `${region}-aiplatform.googleapis.com`;
}

/**
 * The global Vertex AI host. Calls through it may be served in any region (Google gives the
 * global endpoint no residency guarantee), so it never resolves inside the private network.
 */
export const GLOBAL_VERTEX_HOST = 'aiplatform.googleapis.com';

/**
 * Google's sign-in hosts a workload in the network may need besides Vertex AI: token refresh of
 * user credentials (oauth2), workload identity federation (sts) and service account
 * impersonation (iamcredentials). A VM's own service account needs none: its metadata server
 * issues its tokens.
 */
export const SIGN_IN_HOSTS: readonly string[] = ['oauth2.googleapis.com', 'sts.googleapis.com', 'iamcredentials.googleapis.com'];

/**
 * The sign-in services a VPC Service Controls perimeter can block: its networks may call them as
 * well as the restricted services (oauth2 is not a perimeter-controlled service).
 */
export const PERIMETER_SIGN_IN_SERVICES: readonly string[] = ['sts.googleapis.com', 'iamcredentials.googleapis.com'];

/** The Google API hosts the private zone resolves: the regional Vertex AI host of each allowed region, and the sign-in hosts. */
export function privateApiHosts(allowedRegions: readonly string[]): string[] {
  return [...allowedRegions.map(vertexApiHost), ...SIGN_IN_HOSTS];
}

/** The regional Vertex AI endpoint app teams call; it resolves to the PSC endpoint inside the VPC. */
export function vertexEndpoint(region: string): string {
  return `https://${vertexApiHost(region)}`;
}

/** The resource name of a Vertex AI publisher model, as used in `generateContent` URLs. */
export function publisherModelName(project: string, region: string, publisher: string, model: string): string {
  return `projects/${project}/locations/${region}/publishers/${publisher}/models/${model}`;
}

/**
 * The Vertex AI service agent. Its address is fixed by the project number
 * (https://cloud.google.com/vertex-ai/docs/general/access-control#service-agents), so grants to
 * it are known before deployment; `projects.ServiceIdentity` makes sure it exists first.
 */
export function vertexServiceAgent(projectNumber: string): string {
  return `service-${projectNumber}@gcp-sa-aiplatform.iam.gserviceaccount.com`;
}

/**
 * The Cloud Logging service agent that encrypts CMEK log buckets
 * (`kmsServiceAccountId` of `gcloud logging settings describe --project=...`).
 */
export function loggingServiceAgent(projectNumber: string): string {
  return `service-${projectNumber}@gcp-sa-logging.iam.gserviceaccount.com`;
}

/** An IAM member for a Google group. */
export function groupMember(email: string): string {
  return `group:${email}`;
}

/** Longest name of a Private Service Connect endpoint for Google APIs. */
export const MAX_PSC_ENDPOINT_NAME = 20;

/** Whether a name is a valid PSC endpoint name: 1-20 lowercase letters and digits, starting with a letter. */
export function isPscEndpointName(name: string): boolean {
  return /^[a-z][a-z0-9]{0,19}$/.test(name);
}

/**
 * A PSC endpoint name from a longer, hyphenated name: `example-corp` becomes `examplecorppsc`.
 * The endpoint also names the `<endpoint>.p.googleapis.com` DNS names Google creates for it.
 */
export function pscEndpointName(base: string): string {
  const letters = base.toLowerCase().replace(/[^a-z0-9]/g, '').replace(/^[0-9]+/, '');
  const name = `${letters.slice(0, MAX_PSC_ENDPOINT_NAME - 3)}psc`;
  if (!isPscEndpointName(name)) throw new Error(`cannot derive a Private Service Connect endpoint name from ${JSON.stringify(base)}; give one explicitly (1-20 lowercase letters and digits, starting with a letter)`);
  return name;
}

/**
 * The short name of a VPC Service Controls perimeter: letters, digits and underscores, starting
 * with a letter. The project ID is part of it because one access policy holds the perimeters of
 * every project in the organisation.
 */
export function perimeterShortName(projectId: string): string {
  return `${projectId.replace(/[^A-Za-z0-9]/g, '_')}_private_ai`;
}
