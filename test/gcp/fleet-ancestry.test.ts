import { ancestorsIn, describeAncestry, isUnderParent, notUnderParentProblem } from '../../lib/gcp/fleet-ancestry';
import { fleetOrgPolicies } from '../../lib/gcp/org-policies';

const ancestry = [
  { id: 'example-ai-prod', type: 'project' },
  { id: '4455', type: 'folder' },
  { id: '1122', type: 'folder' },
  { id: '5566', type: 'organization' },
];
const member = fleetOrgPolicies({ parent: 'folders/1122', ownerStack: 'hub' }, 'spoke-1')!;

describe('a project below the fleet\'s parent (gcp.orgPolicyParent)', () => {
  test('any ancestor counts: the parent folder, a folder above it, the organisation', () => {
    expect(isUnderParent(ancestry, 'folders/4455')).toBe(true);
    expect(isUnderParent(ancestry, 'folders/1122')).toBe(true);
    expect(isUnderParent(ancestry, 'organizations/5566')).toBe(true);
    expect(notUnderParentProblem('example-ai-prod', member, ancestry)).toBeUndefined();
  });

  test('a folder elsewhere, or an organisation ID read as a folder, does not', () => {
    expect(isUnderParent(ancestry, 'folders/9999')).toBe(false);
    expect(isUnderParent(ancestry, 'folders/5566')).toBe(false);
    expect(isUnderParent(ancestry, 'projects/example-ai-prod')).toBe(true);
  });

  test('another stack\'s message names the project, the parent, the owner, the ancestry found and the fix', () => {
    const elsewhere = fleetOrgPolicies({ parent: 'folders/9999', ownerStack: 'hub' }, 'spoke-1')!;
    expect(notUnderParentProblem('example-ai-prod', elsewhere, ancestry)).toBe(
      "project example-ai-prod is not under folders/9999, where stack hub sets the fleet's organisation policies (gcp.orgPolicyParent): its ancestry is project example-ai-prod > folder 4455 > folder 1122 > organization 5566, so the org-wide constraints (resource locations, CMEK, models, service account keys, TLS, the global endpoint, Workbench) would not bind it; move the project below folders/9999 (gcloud beta projects move example-ai-prod --folder=9999), or deploy it with an organisation config whose gcp.orgPolicyParent is one of its ancestors",
    );
  });

  test('the owner\'s message says this stack sets them; an organisation parent gets the organisation move', () => {
    const owner = fleetOrgPolicies({ parent: 'organizations/7788', ownerStack: 'hub' }, 'hub')!;
    expect(notUnderParentProblem('example-ai-prod', owner, ancestry)).toMatch(/^project example-ai-prod is not under organizations\/7788, where this stack sets .* \(gcloud beta projects move example-ai-prod --organization=7788\)/);
  });

  test('a call answer without ancestors reads as none', () => {
    expect(ancestorsIn(undefined)).toEqual([]);
    expect(ancestorsIn({ ancestors: 'folders/1' })).toEqual([]);
    expect(ancestorsIn({ ancestors: [{ id: 4455, type: 'folder' }, null] })).toEqual([{ id: '4455', type: 'folder' }]);
    expect(describeAncestry([])).toBe('none');
  });
});
