/**
 * Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion), used
 * for env values, command and args:
 * - `$(NAME)` becomes NAME's value when NAME is known, else stays as is;
 * - `$$` is an escaped `$`, so `$$(NAME)` yields the literal `$(NAME)`;
 * - a `$` before anything else, or an unclosed `$(`, is kept literally.
 */

/** Expands `input` with `lookup` (undefined = unknown variable). */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const { text, advance } = readReference(input.slice(cursor + 1), lookup);
    out += text;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

// What follows a `$`: its replacement text and how many characters it used.
function readReference(
  rest: string,
  lookup: (name: string) => string | undefined,
): { text: string; advance: number } {
  if (rest[0] === '$') return { text: '$', advance: 1 };
  if (rest[0] === '(') {
    const close = rest.indexOf(')', 1);
    if (close < 0) return { text: '$(', advance: 1 };
    const name = rest.slice(1, close);
    return { text: lookup(name) ?? `$(${name})`, advance: close + 1 };
  }
  return { text: `$${rest[0] ?? ''}`, advance: 1 };
}

/** A lookup over resolved variables (later entries win, as in a map). */
export function envLookup(
  env: readonly { name: string; value: string }[],
): (name: string) => string | undefined {
  const map = new Map(env.map((e) => [e.name, e.value]));
  return (name) => map.get(name);
}
