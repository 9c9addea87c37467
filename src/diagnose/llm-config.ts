import type { Config } from '../schema/config.js';
import type { LlmDiagnoseOptions } from './llm.js';

/** The `diagnose.llm` setting as pass options, or undefined when the model's diagnosis is off. */
export function llmDiagnosisOptions(config: Config, env?: NodeJS.ProcessEnv): LlmDiagnoseOptions | undefined {
  const setting = config.diagnose?.llm;
  if (!setting) return undefined;
  return { ...(typeof setting === 'object' && setting.model ? { model: setting.model } : {}), ...(env ? { env } : {}) };
}
