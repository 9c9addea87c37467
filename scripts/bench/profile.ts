// Summarises a V8 .cpuprofile (node --cpu-prof): where the time goes, by function.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of the run: its own time, and with everything it called. */
export interface HotSpot {
  name: string;
  selfMs: number;
  totalMs: number;
}

/** A profile summary: the run's sampled time, top functions by self time, and named groups. */
export interface ProfileSummary {
  totalMs: number;
  bySelf: HotSpot[];
  /** Inclusive time of each function name asked for in `groups` (summed over its call sites). */
  groups: HotSpot[];
}

/** Self time per function (name + file:line), largest first, and inclusive time of `groups`. */
export function summariseProfile(file: string, groups: string[], limit = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url ? `${url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${lineNumber + 1}` : '';
    return `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
  };
  const self = new Map<string, number>();
  const byName = new Map<string, number>();
  const selfByName = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    totalUs += dt;
    const node = byId.get(id)!;
    self.set(key(node), (self.get(key(node)) ?? 0) + dt);
    selfByName.set(node.callFrame.functionName, (selfByName.get(node.callFrame.functionName) ?? 0) + dt);
    // Inclusive time counts a function once per sample even when it recurses.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur)!.callFrame.functionName;
      if (seen.has(name)) continue;
      seen.add(name);
      byName.set(name, (byName.get(name) ?? 0) + dt);
    }
  });
  return {
    totalMs: totalUs / 1000,
    bySelf: [...self].map(([name, us]) => ({ name, selfMs: us / 1000, totalMs: 0 })).sort((a, b) => b.selfMs - a.selfMs).slice(0, limit),
    groups: groups.map((name) => ({ name, selfMs: (selfByName.get(name) ?? 0) / 1000, totalMs: (byName.get(name) ?? 0) / 1000 })),
  };
}
