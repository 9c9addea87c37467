// The scheduled loop as a GitHub Actions workflow: weekly plus a manual trigger. It opens a pull
// request only when `harness-loop verify` measured the change as `improved`, so neither a
// regression nor an unmeasured or unhelpful change reaches review.

export interface WorkflowOptions {
  /** Cron for the schedule; weekly on Monday morning by default. */
  cron: string;
  /** Node version for the runner. */
  node: string;
}

export const DEFAULT_WORKFLOW: WorkflowOptions = { cron: '17 6 * * 1', node: '20' };

export function renderGithubWorkflow(options: WorkflowOptions = DEFAULT_WORKFLOW): string {
  return `# Weekly harness improvement: one evidence-based change to the Codex harness per run.
# Needs secrets: OPENAI_API_KEY (Codex and the critic). Sessions to learn from are read from
# CODEX_SESSIONS_DIR (for example an OpenTelemetry Collector's file-exporter folder synced in).
name: harness-loop

on:
  schedule:
    - cron: "${options.cron}"
  workflow_dispatch: {}

permissions:
  contents: write
  pull-requests: write

concurrency:
  group: harness-loop
  cancel-in-progress: false

jobs:
  improve:
    runs-on: ubuntu-latest
    timeout-minutes: 60
    env:
      OPENAI_API_KEY: \${{ secrets.OPENAI_API_KEY }}
      HARNESS_LOOP: node .codex/harness-loop/harness-loop.mjs
    steps:
      - name: Check out
        uses: actions/checkout@v4
        with:
          fetch-depth: 0

      - name: Set up Node
        uses: actions/setup-node@v4
        with:
          node-version: "${options.node}"

      - name: Install Codex and Promptfoo
        run: npm install --no-save @openai/codex promptfoo@0.121.9

      - name: Install the harness-loop bundle
        run: test -f .codex/harness-loop/harness-loop.mjs || npx --yes harness-loop install --trust

      - name: Run the loop and implement the top recommendation
        run: $HARNESS_LOOP loop --implement --skip-verify --all-repos \${CODEX_SESSIONS_DIR:+"$CODEX_SESSIONS_DIR"}

      - name: Verify (the gate measures the change with live A/B runs)
        id: verify
        run: |
          $HARNESS_LOOP verify --provider codex
          last=$($HARNESS_LOOP ledger --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const e=JSON.parse(s).entries.at(-1);process.stdout.write(e.verdict+"\\t"+e.recommendation.title)})')
          echo "verdict=\${last%%$'\\t'*}" >> "$GITHUB_OUTPUT"
          echo "title=\${last#*$'\\t'}" >> "$GITHUB_OUTPUT"

      - name: Open a pull request
        if: steps.verify.outcome == 'success' && steps.verify.outputs.verdict == 'improved'
        env:
          GH_TOKEN: \${{ github.token }}
          TITLE: \${{ steps.verify.outputs.title }}
        run: |
          branch="harness-loop/$(date -u +%Y%m%d-%H%M%S)"
          git config user.name "harness-loop"
          git config user.email "harness-loop@users.noreply.github.com"
          git checkout -b "$branch"
          git add -A -- AGENTS.md .codex .agents skills hooks .harness-loop/config.yaml .harness-loop/ledger.jsonl
          git commit -m "harness: $TITLE"
          git push origin "$branch"
          gh pr create --title "harness: $TITLE" --body-file .harness-loop/codex_handoff.md --head "$branch"
`;
}
