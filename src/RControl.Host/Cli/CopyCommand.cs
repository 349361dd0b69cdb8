using System.CommandLine;
using RControl.Files;
using RControl.Host.Cli.Running;
using RControl.Host.Cli.Targets;

namespace RControl.Host.Cli;

/// <summary>
/// <c>rcontrol copy &lt;session:path&gt; &lt;session:path&gt; [options]</c>: copy a file or a directory tree between any two
/// sessions; to every member of a group (or range), or from every member into one folder per host.
/// </summary>
internal static class CopyCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var from = new Argument<string>("from") { Description = "Source: session:path (local:/path, an inventory session or group, user@host:/path, user@host:port:/path). A group gathers: one folder per host under the destination." };
        var to = new Argument<string>("to") { Description = "Destination: session:path (a group or range copies to each of its hosts; a directory destination must not exist unless --force)." };
        var force = new Option<bool>("--force") { Description = "Replace an existing destination atomically: write beside it, rename over it, remove the old tree after." };
        var resume = new Option<bool>("--resume") { Description = "Continue a copy that was cut off: keep the partial copy on failure and append to it from its size when size and modification time say it is the source's start." };
        var checksum = new Option<bool>("--checksum") { Description = "Verify each copied file by SHA-256 computed on both ends (sha256sum over SSH); a mismatch fails the copy." };
        var command = new Command("copy", "Copy a file or a directory (recursively) from one session to another, to every host of a group, or from every host of a group, with progress.");
        command.Arguments.Add(from);
        command.Arguments.Add(to);
        common.AddTo(command, commandOptions: false);
        command.Options.Add(common.Fanout);
        command.Options.Add(force);
        command.Options.Add(resume);
        command.Options.Add(checksum);
        command.SetAction((parse, ct) => CliRuntime.InvokeAsync(
            async token =>
            {
                var settings = common.Settings(parse);
                var source = parse.GetValue(from)!;
                var destination = parse.GetValue(to)!;
                var fileInventory = common.LoadInventory(parse);
                var defaults = common.SshDefaults(parse, settings);
                var (fromSession, fromPath) = Copies.Split(source);
                var (toSession, toPath) = Copies.Split(destination);
                await using var engine = await CliRuntime.StartEngineAsync(settings, token).ConfigureAwait(false);
                var inventory = Targets.InventoryFiles.Merge(engine.KnownSessions, fileInventory);
                var sources = TargetResolver.Resolve([fromSession], inventory, defaults);
                var destinations = TargetResolver.Resolve([toSession], inventory, defaults);
                var copies = Plan(source, sources, fromPath, destination, destinations, toPath);
                var specs = sources.Concat(destinations).DistinctBy(t => t.Name).ToDictionary(t => t.Name, t => t.Spec, StringComparer.Ordinal);

                var view = CliRuntime.CreateView(settings);
                foreach (var copy in copies)
                {
                    view.Queued(copy.Unit);
                }

                var replace = parse.GetValue(force);
                var copyOptions = CopyOptions.Default with { Resume = parse.GetValue(resume), Checksum = parse.GetValue(checksum) };
                await using (var pool = new SessionPool(engine, name => specs[name]))
                {
                    var runner = new UnitRunner(pool, view);
                    using var fanout = new SemaphoreSlim(settings.Fanout);
                    await view.RunAsync(() => Task.WhenAll(copies.Select(copy => runner.RunInSlotAsync(
                        fanout,
                        copy.Unit,
                        () => runner.RunWorkAsync(copy.Unit, (u, c) => RunOneAsync(pool, copy, replace, copyOptions, u, c), token),
                        token)))).ConfigureAwait(false);
                }

                var units = copies.Select(c => c.Unit).ToArray();
                view.Finish(units);
                return RunUnit.ExitStatus(units);
            },
            ct));
        return command;
    }

    /// <summary>One copy of the run: its unit (named after the host it concerns) and its two ends.</summary>
    private sealed record OneCopy(RunUnit Unit, Copies.Endpoint From, Copies.Endpoint To, bool Gathered);

    /// <summary>One copy, a copy to each destination host, or a copy from each source host into its own folder.</summary>
    private static IReadOnlyList<OneCopy> Plan(
        string source, IReadOnlyList<Target> sources, string fromPath, string destination, IReadOnlyList<Target> destinations, string toPath)
    {
        if (sources.Count > 1 && destinations.Count > 1)
        {
            throw new UsageException($"copy {source} {destination}: one side must be a single session (a group on both sides is not supported)");
        }

        if (destinations.Count > 1)
        {
            return destinations.Select(d => new OneCopy(
                new RunUnit(d.Name, $"copy {sources[0].Name}:{fromPath} {d.Name}:{toPath}"),
                new Copies.Endpoint(sources[0].Name, fromPath),
                new Copies.Endpoint(d.Name, toPath),
                Gathered: false)).ToArray();
        }

        if (sources.Count > 1)
        {
            // Gather (clush --rcopy, pslurp): each host's copy goes to a folder of its own, named after it.
            return sources.Select(s =>
            {
                var folder = PosixPath.Join(toPath, TargetFileName.For(s.Name));
                return new OneCopy(
                    new RunUnit(s.Name, $"copy {s.Name}:{fromPath} {destinations[0].Name}:{folder}"),
                    new Copies.Endpoint(s.Name, fromPath),
                    new Copies.Endpoint(destinations[0].Name, folder),
                    Gathered: true);
            }).ToArray();
        }

        return [new OneCopy(
            new RunUnit(sources[0].Name, $"copy {source} {destination}"),
            new Copies.Endpoint(sources[0].Name, fromPath),
            new Copies.Endpoint(destinations[0].Name, toPath),
            Gathered: false)];
    }

    private static async Task RunOneAsync(SessionPool pool, OneCopy copy, bool force, CopyOptions options, RunUnit unit, CancellationToken cancellationToken)
    {
        if (copy.Gathered)
        {
            var destination = await pool.GetAsync(copy.To.Session, cancellationToken).ConfigureAwait(false);
            await destination.MkdirAsync(PosixPath.GetDirectoryName(copy.To.Path), parents: true, cancellationToken).ConfigureAwait(false);
        }

        await Copies.CopyAsync(pool, copy.From, copy.To, force, options, unit, cancellationToken).ConfigureAwait(false);
    }
}
