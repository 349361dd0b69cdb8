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
                var settings = common.Settings(parse);
                var text = string.Join(' ', parse.GetValue(words) ?? []);
                if (string.IsNullOrWhiteSpace(text))
                {
                    throw new UsageException("empty command");
                }

                var resolved = TargetResolver.Resolve(parse.GetValue(targets) ?? [], common.LoadInventory(parse), common.SshDefaults(parse));
                await using var system = CliRuntime.StartEngine(settings);
                var units = await ExecJob.RunAsync(system, resolved, text, settings, CliRuntime.CreateView(settings), token).ConfigureAwait(false);
                return RunUnit.ExitStatus(units);
            },
            ct));
        return command;
    }
}
