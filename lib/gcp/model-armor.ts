import * as pulumi from '@pulumi/pulumi';
import type { ServiceAgent } from './encryption-keys';
import * as modelarmor from '@pulumi/gcp/modelarmor';
import * as projects from '@pulumi/gcp/projects';

/** Model Armor confidence levels, from the most to the least sensitive. */
export const CONFIDENCE_LEVELS = ['LOW_AND_ABOVE', 'MEDIUM_AND_ABOVE', 'HIGH'] as const;
export type ConfidenceLevel = (typeof CONFIDENCE_LEVELS)[number];

/** Responsible AI filters Model Armor offers. */
export const RAI_FILTER_TYPES = ['SEXUALLY_EXPLICIT', 'HATE_SPEECH', 'HARASSMENT', 'DANGEROUS'] as const;

/** Prompt and response screening of the project's Vertex AI `generateContent` calls. */
export interface ModelArmorArgs {
  /** Project ID; the floor setting applies to this project. */
  readonly project: string;
  /** Region of the template (Model Armor templates are regional). */
  readonly region: string;
  /**
   * The Vertex AI service agent, which calls Model Armor: its `serviceAccount:` member, and the
   * resource that makes Google create it (the grant waits for it; Google refuses a grant to an
   * agent that does not exist yet).
   */
  readonly vertexServiceAgent: ServiceAgent;
  /**
   * ID of the template app teams may reference per request.
   * @default - the component name
   */
  readonly templateId?: string;
  /**
   * Confidence from which prompt injection and jailbreak attempts are caught.
   * @default 'LOW_AND_ABOVE' - catch as much as possible; raise it if false positives hurt
   */
  readonly promptInjectionConfidence?: ConfidenceLevel;
  /**
   * Confidence from which the responsible-AI filters catch content.
   * @default 'MEDIUM_AND_ABOVE'
   */
  readonly contentConfidence?: ConfidenceLevel;
  /** Labels of the template. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The filter configuration shared by the template and the floor setting. */
export interface ModelArmorFilters {
  readonly piAndJailbreakFilterSettings: { readonly filterEnforcement: 'ENABLED'; readonly confidenceLevel: ConfidenceLevel };
  readonly sdpSettings: { readonly basicConfig: { readonly filterEnforcement: 'ENABLED' } };
  readonly maliciousUriFilterSettings: { readonly filterEnforcement: 'ENABLED' };
  readonly raiSettings: { readonly raiFilters: Array<{ readonly filterType: string; readonly confidenceLevel: ConfidenceLevel }> };
}

/** Model Armor filters: prompt injection and jailbreak, sensitive data, malicious URLs, responsible AI. */
export function modelArmorFilters(promptInjection: ConfidenceLevel, content: ConfidenceLevel): ModelArmorFilters {
  return {
    piAndJailbreakFilterSettings: { filterEnforcement: 'ENABLED', confidenceLevel: promptInjection },
    sdpSettings: { basicConfig: { filterEnforcement: 'ENABLED' } },
    maliciousUriFilterSettings: { filterEnforcement: 'ENABLED' },
    raiSettings: { raiFilters: RAI_FILTER_TYPES.map((filterType) => ({ filterType, confidenceLevel: content })) },
  };
}

/**
 * A Model Armor template with prompt-injection and jailbreak detection, basic Sensitive Data
 * Protection, malicious-URL and responsible-AI filters, set to inspect and block; and the
 * project's floor setting, which enforces the same filters on Vertex AI (`AI_PLATFORM`) for every
 * `generateContent` call, whether or not the caller names a template. Google's integration does
 * not screen `streamGenerateContent` or embedding calls. The Vertex AI service agent is granted
 * `roles/modelarmor.user`, which the integration requires.
 */
export class ModelArmor extends pulumi.ComponentResource {
  /** `projects/<p>/locations/<r>/templates/<id>`. */
  public readonly templateName: string;

  constructor(name: string, args: ModelArmorArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:gcp:ModelArmor', name, {}, opts);
    const templateId = args.templateId ?? name;
    if (!/^[A-Za-z0-9_-]{1,63}$/.test(templateId)) throw new Error(`ModelArmor ${name}: templateId ${JSON.stringify(templateId)} must be 1-63 letters, digits, underscores or hyphens`);
    if (!args.vertexServiceAgent.member.startsWith('serviceAccount:')) {
      throw new Error(`ModelArmor ${name}: vertexServiceAgent.member ${JSON.stringify(args.vertexServiceAgent.member)} must be a serviceAccount: member`);
    }
    const filters = modelArmorFilters(args.promptInjectionConfidence ?? 'LOW_AND_ABOVE', args.contentConfidence ?? 'MEDIUM_AND_ABOVE');

    new modelarmor.Template(
      `${name}-template`,
      {
        project: args.project,
        location: args.region,
        templateId,
        filterConfig: filters,
        templateMetadata: { enforcementType: 'INSPECT_AND_BLOCK', logSanitizeOperations: true, logTemplateOperations: true },
        labels: args.labels ? { ...args.labels } : undefined,
      },
      { parent: this },
    );
    const agentGrant = new projects.IAMMember(
      `${name}-vertex-agent`,
      { project: args.project, role: 'roles/modelarmor.user', member: args.vertexServiceAgent.member },
      { parent: this, dependsOn: [args.vertexServiceAgent.createdBy] },
    );
    // Floor settings for the Vertex AI integration exist only at project level, location global.
    // The API has no create: the project's one floor setting (projects/<p>/locations/global/
    // floorSetting) exists with the project and is only read and updated, so a folder's
    // gcp.resourceLocations, which governs the creation of resources, should not refuse it.
    new modelarmor.Floorsetting(
      `${name}-floor`,
      {
        parent: `projects/${args.project}`,
        location: 'global',
        filterConfig: filters,
        enableFloorSettingEnforcement: true,
        integratedServices: ['AI_PLATFORM'],
        aiPlatformFloorSetting: { inspectAndBlock: true, enableCloudLogging: true },
      },
      { parent: this, dependsOn: [agentGrant] },
    );

    this.templateName = `projects/${args.project}/locations/${args.region}/templates/${templateId}`;
    this.registerOutputs({ templateName: this.templateName });
  }
}
