import * as pulumi from '@pulumi/pulumi';
import type { OrgConfig } from '../../lib/config';
import { AuditLogging } from '../../lib/gcp/audit-logging';
import { EncryptionKeys } from '../../lib/gcp/encryption-keys';
import { projectUnderFleetParent } from '../../lib/gcp/fleet-ancestry';
import { GroupAccess } from '../../lib/gcp/group-access';
import { gcpLabels } from '../../lib/gcp/labels';
import { MisuseDetection } from '../../lib/gcp/misuse-detection';
import { ModelArmor } from '../../lib/gcp/model-armor';
import { groupMember, PERIMETER_SIGN_IN_SERVICES, privateApiHosts, publisherModelName, vertexEndpoint } from '../../lib/gcp/naming';
import { fleetOrgPoliciesSetBy, OrgPolicies, type OrgPoliciesArgs } from '../../lib/gcp/org-policies';
import { gcpPlanAnswers } from '../../lib/gcp/plan-answers';
import { PrivateNetwork } from '../../lib/gcp/private-network';
import { ProjectServices, requiredServices } from '../../lib/gcp/project-services';
import { VpcServicePerimeter } from '../../lib/gcp/service-perimeter';
import type { CloudProgram } from '../cloud-program';
import { derivedGcpSettings, gcpSection, NAMESPACE, readGcpSettings, SETTING_KEYS, type GcpSettings, type OrgPolicyScope } from './settings';

export type { GcpSettings } from './settings';

/**
 * The org-policy parent of a scope's org-wide constraints; projects by number, the form the API
 * returns. A fleet's are at its folder or organisation, whichever stack sets them.
 */
export function orgPolicyParent(scope: OrgPolicyScope, projectNumber: string): string {
  switch (scope.kind) {
    case 'project':
      return `projects/${projectNumber}`;
    case 'folder':
      return `folders/${scope.id}`;
    case 'organization':
      return `organizations/${scope.id}`;
    case 'fleet':
      return scope.parent;
  }
}

/** Where a fleet's organisation policies are and who sets them (with gcp.orgPolicyParent only). */
export interface FleetOrgPolicyOutputs {
  /**
   * The folder or organisation of the org-wide constraints (`folders/<id>`, `organizations/<id>`),
   * once the project's ancestry shows the project below it (the export fails otherwise).
   */
  readonly orgPolicyParent: pulumi.Input<string>;
  /** `this stack`, or `stack <owner> (gcp.orgPolicyParent)`. */
  readonly orgPoliciesSetBy: string;
  /** The parent of the constraints every stack keeps at its own project (`projects/<number>`). */
  readonly perProjectOrgPolicyParent: string;
}

/** Creates the private Vertex AI platform of one project; returns what app teams and auditors need. */
function run(org: OrgConfig, s: GcpSettings): Record<string, unknown> {
  const gcp = gcpSection(org);
  const prefix = org.organisation.name;
  const labels = gcpLabels({ ...org.tags, managedBy: 'pulumi', blueprint: 'private-ai' });
  const perimeterOn = gcp.vpcServiceControls !== 'off';

  const scope = s.orgPolicyScope;
  // In a fleet the stack relies on the org-wide policies at gcp.orgPolicyParent (or sets them
  // there): they bind its project only if the project is below that parent. Google Cloud's answer
  // is read by every preview; the APIs, and so everything after them, wait for it.
  const checkedProject = scope.kind === 'fleet' ? projectUnderFleetParent(s.projectId, scope) : s.projectId;
  const services = new ProjectServices(`${prefix}-services`, { project: checkedProject, services: requiredServices({ perimeter: perimeterOn }) });
  // Every API call below needs its API enabled first. A component's dependsOn holds for the
  // resources inside it too: each is registered only after its component, which waits for these.
  const afterServices = { dependsOn: [services] };

  const network = new PrivateNetwork(
    `${prefix}-network`,
    {
      project: s.projectId,
      region: s.region,
      ...(s.network.kind === 'existing'
        ? { existingNetwork: s.network.network, existingSubnetwork: s.network.subnetwork }
        : { subnetCidr: s.network.subnetCidr }),
      pscEndpointIp: s.pscEndpointIp,
      pscEndpointName: s.pscEndpointName,
      apiBundle: perimeterOn ? 'vpc-sc' : 'all-apis',
      createDnsZones: s.createDnsZones,
      // The regional Vertex AI hosts of the allowed regions and the sign-in hosts; never the global host.
      apiHosts: privateApiHosts(gcp.allowedRegions),
      labels,
    },
    afterServices,
  );
  const keys = new EncryptionKeys(
    `${prefix}-keys`,
    { project: s.projectId, projectNumber: s.projectNumber, region: s.region, keyRingName: `${prefix}-private-ai`, labels },
    afterServices,
  );
  const audit = new AuditLogging(
    `${prefix}-audit`,
    {
      project: s.projectId,
      region: s.region,
      kmsKeyId: keys.auditKeyId,
      // The bucket keeps the audit evidence: the organisation's audit retention, not the operational one.
      retentionDays: org.logging.auditRetentionDays,
      locked: gcp.lockAuditRetention,
      bucketId: `${prefix}-vertex-audit`,
    },
    afterServices,
  );
  const armor = new ModelArmor(
    `${prefix}-model-armor`,
    { project: s.projectId, region: s.region, vertexServiceAgent: keys.vertexServiceAgent, templateId: `${prefix}-vertex`, labels },
    afterServices,
  );
  // Every signal raises an alert to every security contact; the playbooks' saved queries.
  const detection = new MisuseDetection(
    `${prefix}-detection`,
    { project: s.projectId, region: s.region, thresholds: org.detection.thresholds, securityContacts: org.securityContacts.emails, labels },
    afterServices,
  );
  const accessLevel = (short: string) => `accessPolicies/${s.accessPolicyId}/accessLevels/${short}`;
  const perimeter = perimeterOn
    ? new VpcServicePerimeter(
        `${prefix}-perimeter`,
        {
          accessPolicyId: s.accessPolicyId!,
          projectId: s.projectId,
          projectNumber: s.projectNumber,
          mode: gcp.vpcServiceControls === 'enforced' ? 'enforced' : 'dryRun',
          accessLevels: gcp.perimeter.accessLevels.map(accessLevel),
          // The restricted services, and the sign-in hosts the private zone resolves for workloads.
          vpcAccessibleServices: ['RESTRICTED-SERVICES', ...PERIMETER_SIGN_IN_SERVICES],
          ingressRules: gcp.perimeter.ingress.map((rule) => ({ ...rule, accessLevels: rule.accessLevels.map(accessLevel) })),
        },
        // Last of the project's resources: once enforced it also restricts Cloud KMS, Logging and
        // Storage, which the rest of the first deployment configures.
        { dependsOn: [services, network, keys, audit, armor, detection] },
      )
    : undefined;
  // After every grant to a Google service agent: domain restricted sharing, once set, refuses
  // grants to members outside the organisation's customer, and existing grants stay.
  const afterAgentGrants = { dependsOn: [services, keys, audit, armor] };
  const projectParent = `projects/${s.projectNumber}`;
  const policyArgs: Omit<OrgPoliciesArgs, 'parent'> = {
    allowedRegions: gcp.allowedRegions,
    allowedModels: gcp.models,
    denyGlobalVertexEndpoint: gcp.orgPolicies.denyGlobalVertexEndpoint,
    workbenchHardening: gcp.orgPolicies.workbenchHardening,
  };
  // The keys live in this project; no resource of the project may use a key from anywhere else.
  // Only at the project: at a folder or the organisation it would bind every other project there
  // to this project's keys.
  const perProjectArgs = {
    ...(gcp.orgPolicies.restrictCmekKeyProjects && (scope.kind === 'project' || scope.kind === 'fleet') ? { cmekKeyProjects: [`under:projects/${s.projectId}`] } : {}),
    allowedMemberCustomerIds: gcp.orgPolicies.allowedMemberCustomerIds,
  };
  // In a fleet every stack keeps the per-project constraints at its own project, under the
  // component name they had at project scope (so they are not replaced): domain restricted
  // sharing there follows this project's own service-agent grants, which one at the folder would
  // precede for every project rolled out after the owner.
  const orgPolicies = new OrgPolicies(
    `${prefix}-org-policies`,
    { ...policyArgs, ...perProjectArgs, ...(scope.kind === 'fleet' ? { parent: projectParent, subset: 'perProject' as const } : { parent: orgPolicyParent(scope, s.projectNumber) }) },
    afterAgentGrants,
  );
  // Only the owner stack sets the org-wide constraints, at the fleet's parent, after its own
  // project's resources as at project scope. Another stack sets none of them: a policy at its
  // project would override the folder's for that project.
  const fleetPolicies =
    scope.kind === 'fleet' && scope.owner ? new OrgPolicies(`${prefix}-fleet-org-policies`, { ...policyArgs, parent: scope.parent, subset: 'orgWide' }, afterAgentGrants) : undefined;
  const fleetOutputs: FleetOrgPolicyOutputs | undefined =
    scope.kind === 'fleet'
      ? { orgPolicyParent: pulumi.output(checkedProject).apply(() => scope.parent), orgPoliciesSetBy: fleetOrgPoliciesSetBy(scope), perProjectOrgPolicyParent: projectParent } : undefined;
  // The kill switch (detection.suspendModelAccess) withholds the model users' grants; the faster
  // path without a deployment is in GroupAccess's modelAccess, and both are audited (tampering alert).
  const access = new GroupAccess(
    `${prefix}-access`,
    {
      project: s.projectId,
      modelAccess: org.detection.suspendModelAccess ? 'suspended' : 'open',
      groups: {
        modelUsers: org.sso.modelUsers.gcp.map(groupMember),
        auditors: org.sso.auditors.gcp.map(groupMember),
        platformAdmins: org.sso.platformAdmins.gcp.map(groupMember),
      },
      auditLogView: audit.bucketName.apply((bucket) => `${bucket}/views/_AllLogs`),
    },
    afterServices,
  );

  return {
    project: s.projectId,
    region: s.region,
    pscEndpointAddress: network.pscEndpointAddress,
    pscEndpointName: network.pscEndpointName,
    privateDnsNames: network.dnsNames,
    vertexEndpoint: vertexEndpoint(s.region),
    allowedModels: gcp.models.map((m) => publisherModelName(s.projectId, s.region, m.publisher, m.id)),
    networkId: network.networkId,
    ...(network.subnetworkId ? { subnetworkId: network.subnetworkId } : {}),
    vertexKeyId: keys.vertexKeyId,
    auditLogKeyId: keys.auditKeyId,
    auditLogBucket: audit.bucketName,
    modelArmorTemplate: armor.templateName,
    // The policies this stack sets; in a fleet also where the org-wide ones are and who sets them.
    orgPolicies: [...Object.values(fleetPolicies?.policyNames ?? {}), ...Object.values(orgPolicies.policyNames)],
    ...fleetOutputs,
    vpcServiceControls: gcp.vpcServiceControls,
    ...(perimeter ? { servicePerimeter: perimeter.perimeterName } : {}),
    modelAccess: access.modelAccess,
    alertPolicies: detection.alertPolicies,
    securityNotificationChannels: detection.notificationChannels,
    savedQueries: detection.savedQueries,
  };
}

/** Private, audited Vertex AI on Google Cloud. */
export const gcpProgram: CloudProgram<GcpSettings> = {
  project: 'private-ai-gcp',
  namespace: NAMESPACE,
  settingKeys: Object.keys(SETTING_KEYS),
  readSettings: readGcpSettings,
  derivedSettings: derivedGcpSettings,
  answers: (s) => gcpPlanAnswers(s.projectNumber, s.orgPolicyScope.kind === 'fleet' ? s.orgPolicyScope.parent : undefined),
  run,
};
