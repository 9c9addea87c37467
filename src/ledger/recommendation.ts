import { matchIdPrefix } from '../util/id-prefix.js';
import { z } from 'zod';
import { InputError, UsageError } from '../errors.js';
import { RecommendationSchema } from '../schema/diagnosis.js';
import { readJsonFile } from './json-file.js';

/**
 * The part of `.harness-loop/diagnosis/recommendations.json` a cycle reads: per recommendation its
 * id, rank, title and files. `harness-loop diagnose` must write at least these (DiagnosisSchema
 * does); the other fields are not needed here, so they are neither checked nor kept.
 */
export const RecommendationsForCycleSchema = z.object({
  recommendations: z.array(RecommendationSchema.pick({ id: true, rank: true, title: true, files: true })),
});

/** One recommendation as a cycle uses it. */
export type RecommendationForCycle = z.infer<typeof RecommendationsForCycleSchema>['recommendations'][number];

/** Reads the recommendations; missing or empty is an InputError that names `harness-loop diagnose`. */
export async function readRecommendations(file: string): Promise<RecommendationForCycle[]> {
  const parsed = await readJsonFile(file, RecommendationsForCycleSchema, 'recommendations file');
  if (parsed === null) throw new InputError('no recommendations yet; run `harness-loop diagnose` first', file, undefined, 'stage.missing');
  if (parsed.recommendations.length === 0) {
    throw new InputError(
      'the diagnosis made no recommendations; add feedback or evals, then run `harness-loop diagnose` again',
      file,
      undefined,
      'stage.empty',
    );
  }
  return parsed.recommendations;
}

/** The recommendation with `id`, or the best-ranked one when no id is given. */
export function chooseRecommendation(recommendations: RecommendationForCycle[], id?: string): RecommendationForCycle {
  if (id === undefined) return [...recommendations].sort((a, b) => a.rank - b.rank)[0]!;
  const match = matchIdPrefix(
    id,
    recommendations.map((r) => r.id),
  );
  if (!('id' in match)) {
    const known = 'ambiguous' in match ? match.ambiguous.join(', ') : recommendations.map((r) => r.id).join(', ');
    throw new UsageError(
      `${'ambiguous' in match ? `"${id}" matches more than one recommendation` : `no recommendation "${id}" in the diagnosis`} (${'ambiguous' in match ? 'matching' : 'known'}: ${known})`,
      'cycle.recommendation',
    );
  }
  return recommendations.find((r) => r.id === match.id)!;
}
