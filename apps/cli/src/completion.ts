/**
 * Shell completion scripts for bash, zsh and fish, generated from the command table: command
 * names, each command's options (with their descriptions in zsh and fish), the values of options
 * with fixed choices, directories where an option wants one, and positional choices.
 */
import type { CommandSpec, OptionSpec } from "./spec.ts";

export type Shell = "bash" | "zsh" | "fish";

interface Entry {
  name: string;
  spec: OptionSpec;
}

const entries = (c: CommandSpec): Entry[] => [
  ...Object.entries(c.options)
    .filter(([, o]) => !o.hidden)
    .map(([name, spec]) => ({ name, spec })),
  { name: "help", spec: { type: "boolean", short: "h", help: "show this help" } },
];

const valuesOf = (o: OptionSpec): readonly string[] | undefined => o.choices ?? o.suggest;
const firstLine = (s: string) => s.split("\n")[0] ?? "";

export function completionScript(shell: Shell, commands: readonly CommandSpec[], root?: CommandSpec): string {
  const top = root ?? rootOf(commands);
  if (shell === "bash") return bash(commands, top);
  if (shell === "zsh") return zsh(commands, top);
  return fish(commands, top);
}

/** The REPL's options (the command with no name) are completed where no command is given. */
function rootOf(commands: readonly CommandSpec[]): CommandSpec {
  return { name: "", summary: "", usage: [], options: {}, run: async () => 0, ...commands.find((c) => c.name === "") };
}

// ---- bash --------------------------------------------------------------------------------------

function bash(commands: readonly CommandSpec[], root: CommandSpec): string {
  const named = commands.filter((c) => c.name);
  const optionWords = (c: CommandSpec) => entries(c).map((e) => `--${e.name}`);
  const valueCases: string[] = [];
  for (const c of [root, ...named]) {
    for (const { name, spec } of entries(c)) {
      if (spec.type !== "string") continue;
      const key = `${c.name}:--${name}`;
      const values = valuesOf(spec);
      if (values)
        valueCases.push(`      '${key}') COMPREPLY=($(compgen -W '${values.join(" ")}' -- "$cur")); return ;;`);
      else if (spec.complete === "dir")
        valueCases.push(`      '${key}') COMPREPLY=($(compgen -d -- "$cur")); return ;;`);
      else if (spec.complete === "file")
        valueCases.push(`      '${key}') COMPREPLY=($(compgen -f -- "$cur")); return ;;`);
      else valueCases.push(`      '${key}') return ;;`);
    }
  }
  const optionCases = [root, ...named].map((c) => `      '${c.name}') opts='${optionWords(c).join(" ")}' ;;`);
  const positionalCases = named
    .filter((c) => c.positionals?.[0]?.choices)
    .map((c) => `      '${c.name}') words='${c.positionals![0]!.choices!.join(" ")}' ;;`);
  return `# bash completion for ec2sim (ec2sim completion bash); load with: eval "$(ec2sim completion bash)"
_ec2sim() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="" opts="" words="" npos=0 i
  COMPREPLY=()
  if [[ $COMP_CWORD -gt 1 && "\${COMP_WORDS[1]}" != -* ]]; then cmd="\${COMP_WORDS[1]}"; fi
  if [[ "$prev" == --* ]]; then
    case "$cmd:$prev" in
${valueCases.join("\n")}
    esac
  fi
  case "$cmd" in
${optionCases.join("\n")}
    *) return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  if [[ -z "$cmd" ]]; then
    [[ $COMP_CWORD -eq 1 ]] && COMPREPLY=($(compgen -W '${named.map((c) => c.name).join(" ")}' -- "$cur"))
    return
  fi
  # Only the first positional of a command has choices (terraform setup|reattach, completion SHELL).
  for ((i = 2; i < COMP_CWORD; i++)); do [[ "\${COMP_WORDS[i]}" != -* && "\${COMP_WORDS[i-1]}" != --* ]] && npos=$((npos + 1)); done
  [[ $npos -gt 0 ]] && return
  case "$cmd" in
${positionalCases.join("\n")}
  esac
  [[ -n "$words" ]] && COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _ec2sim ec2sim
`;
}

// ---- zsh ---------------------------------------------------------------------------------------

const zq = (s: string) => s.replace(/'/g, "'\\''");
const zdesc = (s: string) => zq(firstLine(s).replace(/[[\]:\\]/g, (m) => `\\${m}`));

function zshSpecs(c: CommandSpec): string[] {
  const out: string[] = [];
  for (const { name, spec } of entries(c)) {
    const desc = zdesc(spec.help);
    const flags = spec.short ? `{-${spec.short},--${name}}` : `--${name}`;
    const repeat = spec.multiple ? "*" : "";
    if (spec.type === "boolean") {
      out.push(spec.short ? `'(-${spec.short} --${name})'${flags}'[${desc}]'` : `'${repeat}${flags}[${desc}]'`);
      continue;
    }
    const values = valuesOf(spec);
    const action = values
      ? `(${values.join(" ")})`
      : spec.complete === "dir"
        ? "_files -/"
        : spec.complete === "file"
          ? "_files"
          : " ";
    out.push(`'${repeat}${flags}=[${desc}]:${zq(spec.arg ?? "VALUE").replace(/:/g, "\\:")}:${action}'`);
  }
  c.positionals?.forEach((p, i) => {
    out.push(`'${i + 1}:${p.name}:${p.choices ? `(${p.choices.join(" ")})` : " "}'`);
  });
  return out;
}

function zsh(commands: readonly CommandSpec[], root: CommandSpec): string {
  const named = commands.filter((c) => c.name);
  const list = named.map((c) => `    '${c.name}:${zdesc(c.summary)}'`).join("\n");
  const cases = named
    .map((c) => `    ${c.name})\n      _arguments -s \\\n        ${zshSpecs(c).join(" \\\n        ")}\n      ;;`)
    .join("\n");
  return `#compdef ec2sim
# zsh completion for ec2sim (ec2sim completion zsh > "\${fpath[1]}/_ec2sim", or eval it in .zshrc after compinit)
_ec2sim() {
  local -a commands
  commands=(
${list}
  )
  if (( CURRENT > 2 )) && [[ \${words[2]} != -* ]]; then
    local cmd=\${words[2]}
    shift words
    (( CURRENT-- ))
    case $cmd in
${cases}
    esac
  elif [[ \${words[CURRENT]} == -* || \${words[CURRENT-1]} == --* ]]; then
    _arguments -s \\
      ${zshSpecs(root).join(" \\\n      ")}
  else
    _describe -t commands 'ec2sim command' commands
  fi
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _ec2sim "$@"
else
  compdef _ec2sim ec2sim
fi
`;
}

// ---- fish --------------------------------------------------------------------------------------

const fq = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

function fish(commands: readonly CommandSpec[], root: CommandSpec): string {
  const named = commands.filter((c) => c.name);
  const lines = [
    "# fish completion for ec2sim (ec2sim completion fish > ~/.config/fish/completions/ec2sim.fish)",
    "complete -c ec2sim -f",
  ];
  for (const c of named) lines.push(`complete -c ec2sim -n __fish_use_subcommand -a ${c.name} -d ${fq(c.summary)}`);
  const optionLine = (cond: string, name: string, spec: OptionSpec) => {
    const values = valuesOf(spec);
    const parts = [`complete -c ec2sim -n ${fq(cond)} -l ${name}`];
    if (spec.short) parts.push(`-s ${spec.short}`);
    if (spec.type === "string") {
      if (values) parts.push(`-x -a ${fq(values.join(" "))}`);
      else if (spec.complete === "dir") parts.push(`-x -a '(__fish_complete_directories)'`);
      else if (spec.complete === "file") parts.push("-r -F");
      else parts.push("-x");
    }
    parts.push(`-d ${fq(firstLine(spec.help))}`);
    return parts.join(" ");
  };
  for (const { name, spec } of entries(root)) lines.push(optionLine("__fish_use_subcommand", name, spec));
  for (const c of named) {
    const cond = `__fish_seen_subcommand_from ${c.name}`;
    for (const { name, spec } of entries(c)) lines.push(optionLine(cond, name, spec));
    const first = c.positionals?.[0];
    if (first?.choices)
      lines.push(
        `complete -c ec2sim -n ${fq(`${cond}; and not __fish_seen_subcommand_from ${first.choices.join(" ")}`)} -a ${fq(first.choices.join(" "))}`,
      );
  }
  return `${lines.join("\n")}\n`;
}
