// "did you mean": the closest known word to a mistyped command, flag or check ID, if one is close.

/** Optimal string alignment distance (Levenshtein plus swapped neighbours, "chekc" -> "check"). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate nearest to `input` (case-insensitive), or undefined when none is plausibly meant. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const want = input.toLowerCase();
  let best: {word: string; score: number} | undefined;
  for (const word of candidates) {
    const have = word.toLowerCase();
    // A prefix ("expl" for "explain") is as good as one typo.
    const score = have.startsWith(want) && want.length >= 2 ? 1 : editDistance(want, have);
    if (!best || score < best.score) best = {word, score};
  }
  if (!best) return undefined;
  // At most one typo in three characters, and never more than three: "foo" must not become "gate".
  const allowed = Math.min(3, Math.max(1, Math.floor(want.length / 3)));
  return best.score <= allowed ? best.word : undefined;
}

/** "; did you mean 'x'?" or nothing. */
export function didYouMean(input: string, candidates: readonly string[], show: (s: string) => string = (s) => s): string {
  const hit = closest(input, candidates);
  return hit ? `; did you mean '${show(hit)}'?` : '';
}
