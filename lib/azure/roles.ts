import { AZURE_OPENAI_MODEL_FORMAT } from '../config/limits';

/**
 * The built-in Azure roles the blueprint grants, and which of them model users need. Role
 * definition GUIDs are the same in every tenant; the subscription part of the full ID comes
 * from the stack settings (see `roleDefinitionId`).
 */

/** A built-in role: its display name (for outputs and messages) and definition GUID. */
export interface BuiltInRole {
  readonly name: string;
  readonly id: string;
}

export const BUILT_IN_ROLES = {
  /** Inference on Azure OpenAI deployments with an Entra ID token; cannot change deployments or read keys. */
  cognitiveServicesOpenAiUser: { name: 'Cognitive Services OpenAI User', id: '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd' },
  /** All Cognitive Services data actions (needed for non-OpenAI Foundry models) plus listing keys. */
  cognitiveServicesUser: { name: 'Cognitive Services User', id: 'a97b65f3-24c7-4388-baec-2e87135dc908' },
  /** Read and query a Log Analytics workspace. */
  logAnalyticsReader: { name: 'Log Analytics Reader', id: '73c42c96-874c-492b-b04d-ab87d138a893' },
  /** Read every resource's configuration; no data-plane access, no changes. */
  reader: { name: 'Reader', id: 'acdd72a7-3b82-4d1f-840a-4dd95d8f1c93' },
  /** Get, wrap and unwrap keys: what a service needs to use a customer-managed key. */
  keyVaultCryptoServiceEncryptionUser: { name: 'Key Vault Crypto Service Encryption User', id: 'e147488a-f6f5-4113-8e2d-b22465e65bf6' },
} as const satisfies Record<string, BuiltInRole>;

/** The model format Azure OpenAI deployments use. */
export const OPENAI_MODEL_FORMAT = AZURE_OPENAI_MODEL_FORMAT;

/**
 * The least roles that let model users call every configured deployment. Cognitive Services
 * OpenAI User covers OpenAI-format models (on both account kinds). Other formats (Meta,
 * Mistral AI, ... on an AIServices account) go through the Foundry Models endpoint, whose
 * documented built-in role is Cognitive Services User: broader, so it is granted only when a
 * configured deployment needs it.
 */
export function modelUserRoles(formats: readonly string[]): BuiltInRole[] {
  const roles: BuiltInRole[] = [];
  if (formats.some((f) => f === OPENAI_MODEL_FORMAT)) roles.push(BUILT_IN_ROLES.cognitiveServicesOpenAiUser);
  if (formats.some((f) => f !== OPENAI_MODEL_FORMAT)) roles.push(BUILT_IN_ROLES.cognitiveServicesUser);
  return roles;
}
