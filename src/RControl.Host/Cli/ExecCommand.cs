using System.CommandLine;
using System.CommandLine.Parsing;
using RControl.Host.Cli.Running;
using RControl.Host.Cli.Targets;

namespace RControl.Host.Cli;

/// <summary><c>rcontrol exec -t &lt;target&gt; [-t …] [options] -- &lt;command&gt;</c>: run one command on targets.</summary>
internal static class ExecCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var targets = new Option<string[]>("--target", "-t")
        {
            Description = "Where to run: local, an inventory session or group, user@host:port, a ~/.ssh/config alias, a host range web[01-20].example.com. Repeat or separate with commas.",
            Required = true,
            HelpName = "target",
        };
        var detach = new Option<bool>("--detach", "-d") { Description = "With --daemon: run as a job on the daemon, print its id and return at once (see rcontrol jobs, logs, wait)." };
        var words = new Argument<string[]>("command") { Description = "The shell command (after --).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("exec", "Run a command on one or more targets.");
        command.Options.Add(targets);
        command.Options.Add(detach);
        common.AddTo(command);
        command.Arguments.Add(words);
        command.SetAction((parse, ct) => CliRuntime.InvokeAsync(
            async token =>
            {
                RefuseWordsBeforeDoubleDash(parse, words);
                var settings = common.Settings(parse);
                var text = string.Join(' ', parse.GetValue(words) ?? []);
                if (string.IsNullOrWhiteSpace(text))
                {
                    throw new UsageException("empty command");
                }

                var inventory = common.LoadInventory(parse);
                var defaults = common.SshDefaults(parse, settings);
                if (parse.GetValue(detach) && settings.Daemon is null)
                {
                    throw new UsageException("--detach needs --daemon: only a daemon keeps jobs");
                }

                if (settings.Daemon is null)
                {
                    // Refuse bad targets before starting anything (with a daemon, its session names are needed first).
                    TargetResolver.Resolve(parse.GetValue(targets) ?? [], inventory, defaults);
                }

                await using var engine = await CliRuntime.StartEngineAsync(settings, token).ConfigureAwait(false);
                var known = Targets.InventoryFiles.Merge(engine.KnownSessions, inventory);
                var resolved = TargetResolver.Resolve(parse.GetValue(targets) ?? [], known, defaults);
                if (parse.GetValue(detach))
                {
                    return await Commands.DetachedJob.SubmitAsync(engine, Commands.DetachedJob.ForExec(resolved, text, settings, engine), token).ConfigureAwait(false);
                }

                var units = await ExecJob.RunAsync(engine, resolved, text, settings, CliRuntime.CreateView(settings), token).ConfigureAwait(false);
                return RunUnit.ExitStatus(units);
            },
            ct));
        return command;
    }

    /// <summary>
    /// The command is only what follows <c>--</c>: any word before it is a typo (<c>--plain yes</c>,
    /// <c>--combine-stderr maybe</c>) that must not become part of the command line.
    /// </summary>
    private static void RefuseWordsBeforeDoubleDash(ParseResult parse, Argument<string[]> words)
    {
        var tokens = parse.Tokens.ToList();
        var doubleDash = tokens.FindIndex(t => t.Type == TokenType.DoubleDash);
        foreach (var token in parse.GetResult(words)?.Tokens ?? [])
        {
            var index = tokens.FindIndex(t => ReferenceEquals(t, token));
            if (doubleDash >= 0 && index > doubleDash)
            {
                continue;
            }

            if (token.Value.Length > 1 && token.Value[0] == '-')
            {
                throw new UsageException($"unknown option '{token.Value}' (put the command after --)");
            }

            var previous = index > 0 ? tokens[index - 1] : null;
            var hint = previous is { Type: TokenType.Option } && parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == previous.Value || o.Aliases.Contains(previous.Value)) is Option<bool>
                ? $"{previous.Value} takes true, false or nothing; "
                : string.Empty;
            throw new UsageException(doubleDash >= 0
                ? $"unexpected '{token.Value}' before -- ({hint}the command goes after --)"
                : $"the command goes after --: rcontrol exec -t <target> [options] -- {string.Join(' ', parse.GetValue(words) ?? [])}");
        }
    }
}
