using System.CommandLine;
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
        var words = new Argument<string[]>("command") { Description = "The shell command (after --).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("exec", "Run a command on one or more targets.");
        command.Options.Add(targets);
        common.AddTo(command);
        command.Arguments.Add(words);
        command.SetAction((parse, ct) => CliRuntime.InvokeAsync(
            async token =>
            {
                RefuseOptionLikeWords(parse, words);
                var settings = common.Settings(parse);
                var text = string.Join(' ', parse.GetValue(words) ?? []);
                if (string.IsNullOrWhiteSpace(text))
                {
                    throw new UsageException("empty command");
                }

                var inventory = common.LoadInventory(parse);
                await using var engine = await CliRuntime.StartEngineAsync(settings, token).ConfigureAwait(false);
                var known = Targets.InventoryFiles.Merge(engine.KnownSessions, inventory);
                var resolved = TargetResolver.Resolve(parse.GetValue(targets) ?? [], known, common.SshDefaults(parse));
                var units = await ExecJob.RunAsync(engine, resolved, text, settings, CliRuntime.CreateView(settings), token).ConfigureAwait(false);
                return RunUnit.ExitStatus(units);
            },
            ct));
        return command;
    }

    /// <summary>
    /// A word starting with '-' before <c>--</c> is an option this command does not know, not part of the
    /// command line (System.CommandLine would hand it to the command argument).
    /// </summary>
    private static void RefuseOptionLikeWords(ParseResult parse, Argument<string[]> words)
    {
        var tokens = parse.Tokens.ToList();
        var doubleDash = tokens.FindIndex(t => t.Type == System.CommandLine.Parsing.TokenType.DoubleDash);
        foreach (var token in parse.GetResult(words)?.Tokens ?? [])
        {
            var index = tokens.FindIndex(t => ReferenceEquals(t, token));
            if ((doubleDash < 0 || index < doubleDash) && token.Value.Length > 1 && token.Value[0] == '-')
            {
                throw new UsageException($"unknown option '{token.Value}' (put the command after --)");
            }
        }
    }
}
