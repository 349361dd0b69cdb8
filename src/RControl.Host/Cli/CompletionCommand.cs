using System.CommandLine;
using System.Text;

namespace RControl.Host.Cli;

/// <summary><c>rcontrol completion bash</c>: prints a bash completion script built from the command tree (so it never goes stale).</summary>
internal static class CompletionCommand
{
    public static Command Create(RootCommand root)
    {
        var shell = new Argument<string>("shell") { Description = "The shell: bash." };
        shell.AcceptOnlyFromAmong("bash");
        var command = new Command("completion", "Print a shell completion script: source <(rcontrol completion bash).");
        command.Arguments.Add(shell);
        command.SetAction(_ =>
        {
            Console.Out.Write(Bash(root));
            return 0;
        });
        return command;
    }

    /// <summary>The bash script: subcommands first, then each subcommand's options; files after options that take one.</summary>
    public static string Bash(RootCommand root)
    {
        var commands = root.Subcommands.Where(c => !c.Hidden).ToArray();
        var script = new StringBuilder();
        script.Append("""
            # bash completion for rcontrol: source <(rcontrol completion bash)
            _rcontrol() {
                local cur prev sub
                cur="${COMP_WORDS[COMP_CWORD]}"
                prev="${COMP_WORDS[COMP_CWORD-1]}"
                sub="${COMP_WORDS[1]}"
                local i
                for ((i = 1; i < COMP_CWORD; i++)); do
                    [[ "${COMP_WORDS[i]}" == "--" ]] && { COMPREPLY=($(compgen -c -- "$cur")); return; }
                done
                if [[ $COMP_CWORD -eq 1 ]]; then

            """);
        script.Append($"        COMPREPLY=($(compgen -W \"{string.Join(' ', commands.Select(c => c.Name))} --help --version\" -- \"$cur\"))\n");
        script.Append("        return\n    fi\n    case \"$sub\" in\n");
        foreach (var command in commands)
        {
            var options = command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Distinct().Append("--help");
            var withFile = command.Options.Where(o => o.HelpName is "file").SelectMany(o => o.Aliases.Prepend(o.Name));
            script.Append($"        {command.Name})\n");
            script.Append($"            case \"$prev\" in {string.Join('|', withFile.DefaultIfEmpty("--no-such-option"))}) COMPREPLY=($(compgen -f -- \"$cur\")); return ;; esac\n");
            script.Append($"            if [[ \"$cur\" == -* ]]; then COMPREPLY=($(compgen -W \"{string.Join(' ', options)}\" -- \"$cur\")); else COMPREPLY=($(compgen -f -- \"$cur\")); fi\n");
            script.Append("            ;;\n");
        }

        script.Append("    esac\n}\ncomplete -o default -F _rcontrol rcontrol\n");
        return script.ToString();
    }
}
