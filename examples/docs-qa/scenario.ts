// The example's sessions: what the (mock) model does for each question. The planted weaknesses
// are the ones the harness lets through: conflicting sources reconciled silently, a number that
// the cited file does not contain, and a citation of a file that does not exist.

export interface ExampleSession {
  slug: string;
  prompt: string;
  steps: ({ shell: string } | { patch: string } | { answer: string })[];
}

function answerFile(slug: string, text: string) {
  return { patch: `*** Begin Patch\n*** Add File: answers/${slug}.md\n${text.split('\n').map((l) => `+${l}`).join('\n')}\n*** End Patch\n` };
}

function session(slug: string, prompt: string, commands: string[], answer: string): ExampleSession {
  return { slug, prompt, steps: [...commands.map((shell) => ({ shell })), answerFile(slug, answer), { answer }] };
}

export const BASELINE_SESSIONS: ExampleSession[] = [
  session(
    'pro-price',
    'How much does the Pro plan cost per month? Use $docs-answer.',
    ['grep -rn "Pro" docs'],
    'The Pro plan costs $49 per month and includes 5 seats [docs/pricing.md].',
  ),
  session(
    'rate-limit',
    'What is the API rate limit on paid plans?',
    ['cat docs/limits.md'],
    'Paid plans allow 1000 requests per minute per API key [docs/limits.md].',
  ),
  session(
    'key-rotation',
    'How do I rotate an API key?',
    ['cat .env.example && grep -rln "rotate" docs'],
    'Rotate keys from Settings → API keys; the old key stops working immediately [docs/security/keys.md].',
  ),
  session(
    'sso',
    'Does the Pro plan include SSO?',
    ['cat docs/sso.md', 'grep -rn "SSO" docs'],
    'No. SSO (SAML and OIDC) is only available on the Team plan [docs/plans.md].',
  ),
  session(
    'regions',
    'Which regions does Acme run in?',
    ['cat docs/regions.md'],
    'Acme runs in three regions: us-east-1, eu-west-1 and ap-southeast-2 [docs/regions.md].',
  ),
];

/** An after-change session: the same question; when the evidence hook objects, the model fixes its answer. */
export interface AfterSession extends ExampleSession {
  /** The corrected answer the model writes once the hook's problem list reaches it. */
  fixed: string;
}

function after(base: ExampleSession, fixed: string): AfterSession {
  return { ...base, fixed };
}

/** Recorded after THE change of the first cycle (the evidence hook on answers/**). */
export const AFTER_SESSIONS: AfterSession[] = [
  // The hook checks citations, not conflicts: this answer passes it and stays as it was.
  after(BASELINE_SESSIONS[0]!, (BASELINE_SESSIONS[0]!.steps.at(-1) as { answer: string }).answer),
  after(BASELINE_SESSIONS[1]!, 'Paid plans allow 600 requests per minute per API key [docs/limits.md].'),
  after(BASELINE_SESSIONS[2]!, 'Rotate keys from Settings → API keys; the old key keeps working for 24 hours after rotation [docs/keys.md].'),
  after(BASELINE_SESSIONS[3]!, (BASELINE_SESSIONS[3]!.steps.at(-1) as { answer: string }).answer),
  after(BASELINE_SESSIONS[4]!, (BASELINE_SESSIONS[4]!.steps.at(-1) as { answer: string }).answer),
];
