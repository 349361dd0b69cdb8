using RControl.Host.Cli.Output;
using RControl.Host.Cli.Targets;

namespace RControl.Host.Cli.Running;

/// <summary><c>rcontrol exec</c>: one command on every target, at most <see cref="RunSettings.Fanout"/> at once.</summary>
public static class ExecJob
{
    /// <summary>Runs the command everywhere and returns the units, in target order.</summary>
    public static async Task<IReadOnlyList<RunUnit>> RunAsync(
        CliEngine engine, IReadOnlyList<Target> targets, string command, RunSettings settings, IRunView view, CancellationToken cancellationToken, StdinFeed? stdin = null)
    {
        var specs = targets.ToDictionary(t => t.Name, t => t.Spec, StringComparer.Ordinal);
        var units = targets.Select(t => new RunUnit(t.Name, command)).ToArray();
        foreach (var unit in units)
        {
            view.Queued(unit);
        }

        var options = CommandOptionsFor(settings);
        await using var pool = new SessionPool(engine, name => specs[name]);
        var runner = new UnitRunner(pool, view);
        using var fanout = new SemaphoreSlim(settings.Fanout);
        await view.RunAsync(() => Task.WhenAll(units.Select(unit =>
            runner.RunInSlotAsync(fanout, unit, () => runner.RunCommandAsync(unit, options, cancellationToken, stdin is null ? null : stdin.PrepareAsync), cancellationToken)))).ConfigureAwait(false);
        StartupTrace.Mark("commands ended");
        view.Finish(units);
        return units;
    }

    /// <summary>The engine's command options for the CLI settings.</summary>
    public static CommandOptions CommandOptionsFor(RunSettings settings) => new()
    {
        Timeout = settings.Timeout,
        OutputTimeout = settings.OutputTimeout,
        ExpectedExitCode = settings.ExpectedExitCode,
        CombineStderr = settings.CombineStderr,
    };
}
