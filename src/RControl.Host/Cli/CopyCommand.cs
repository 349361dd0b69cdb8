using System.CommandLine;
using RControl.Host.Cli.Running;
using RControl.Host.Cli.Targets;

namespace RControl.Host.Cli;

/// <summary><c>rcontrol copy &lt;session:path&gt; &lt;session:path&gt; [options]</c>: copy a file or a directory tree between any two sessions.</summary>
internal static class CopyCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var from = new Argument<string>("from") { Description = "Source: session:path (local:/path, an inventory session, user@host:/path, user@host:port:/path)." };
        var to = new Argument<string>("to") { Description = "Destination: session:path (a directory destination must not exist)." };
        var command = new Command("copy", "Copy a file or a directory (recursively) from one session to another, with progress.");
        command.Arguments.Add(from);
        command.Arguments.Add(to);
        common.AddTo(command, commandOptions: false);
        command.SetAction((parse, ct) => CliRuntime.InvokeAsync(
            async token =>
            {
                var settings = common.Settings(parse);
                var source = parse.GetValue(from)!;
                var destination = parse.GetValue(to)!;
                var fileInventory = common.LoadInventory(parse);
                var defaults = common.SshDefaults(parse, settings);
                Copies.Split(source);
                Copies.Split(destination);
                await using var engine = await CliRuntime.StartEngineAsync(settings, token).ConfigureAwait(false);
                var inventory = Targets.InventoryFiles.Merge(engine.KnownSessions, fileInventory);
                var specs = new Dictionary<string, Protocol.SessionSpec>(StringComparer.Ordinal);
                foreach (var endpoint in new[] { source, destination })
                {
                    var session = Copies.Split(endpoint).Session;
                    var targets = TargetResolver.Resolve([session], inventory, defaults);
                    if (targets.Count != 1 || targets[0].Name != session)
                    {
                        throw new UsageException($"'{endpoint}': copy needs one session, '{session}' stands for {targets.Count}");
                    }

                    specs[session] = targets[0].Spec;
                }

                var view = CliRuntime.CreateView(settings);
                var unit = new RunUnit(Copies.Split(source).Session, $"copy {source} {destination}");
                view.Queued(unit);
                await using (var pool = new SessionPool(engine, name => specs[name]))
                {
                    var runner = new UnitRunner(pool, view);
                    await view.RunAsync(() => runner.RunWorkAsync(unit, (u, c) => Copies.CopyAsync(pool, source, destination, u, c), token)).ConfigureAwait(false);
                }

                view.Finish([unit]);
                return RunUnit.ExitStatus([unit]);
            },
            ct));
        return command;
    }
}
