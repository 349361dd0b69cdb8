using RControl.Host.Cli.Output;
using RControl.Host.Cli.Plans;
using RControl.Host.Cli.Targets;

namespace RControl.Host.Cli.Running;

/// <summary>
/// <c>rcontrol run</c>: walks a plan's graph — a task starts once all its <c>after</c> tasks succeeded; a failure
/// skips its dependents only (or, with <see cref="RunSettings.StopAllOnFailure"/>, everything not started and
/// kills what runs). A task on a group runs on every member and succeeds when all of them do.
/// </summary>
public static class PlanJob
{
    /// <summary>Runs the plan and returns its units, in task order.</summary>
    public static async Task<IReadOnlyList<RunUnit>> RunAsync(
        CliEngine engine, Plan plan, RunSettings settings, SshDefaults defaults, IRunView view, CancellationToken cancellationToken)
    {
        var unitsByTask = plan.Tasks.ToDictionary(
            t => t.Name,
            t => Members(plan, t.Target).Select(s => new RunUnit(s, t.Description, t.Name)).ToArray(),
            StringComparer.Ordinal);
        var all = plan.Tasks.SelectMany(t => unitsByTask[t.Name]).ToArray();
        foreach (var unit in all)
        {
            view.Queued(unit);
        }

        await using var pool = new SessionPool(engine, name => TargetResolver.SpecFor(name, plan.Inventory, defaults));
        var runner = new UnitRunner(pool, view);
        using var fanout = new SemaphoreSlim(settings.Fanout);
        var progress = plan.Graph.Start(settings.StopAllOnFailure);

        async Task<(string Name, bool Succeeded)> RunTaskAsync(PlanTask task)
        {
            var units = unitsByTask[task.Name];
            await Task.WhenAll(units.Select(unit => RunUnitAsync(unit, task))).ConfigureAwait(false);
            return (task.Name, units.All(u => u.State == RunState.Succeeded));
        }

        Task RunUnitAsync(RunUnit unit, PlanTask task) => runner.RunInSlotAsync(fanout, unit, () =>
        {
            if (task.Copy is { } copy)
            {
                return runner.RunWorkAsync(unit, (u, ct) => Copies.CopyAsync(pool, copy.From, copy.To, u, ct), cancellationToken);
            }

            var options = ExecJob.CommandOptionsFor(settings) with
            {
                Timeout = task.Timeout ?? settings.Timeout,
                OutputTimeout = task.OutputTimeout ?? settings.OutputTimeout,
                ExpectedExitCode = task.ExpectedExitCode,
                CombineStderr = task.CombineStderr ?? settings.CombineStderr,
            };
            return runner.RunCommandAsync(unit, options, cancellationToken);
        }, cancellationToken);

        await view.RunAsync(async () =>
        {
            var running = new List<Task<(string Name, bool Succeeded)>>();
            void StartReady()
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                running.AddRange(progress.TakeReady().Select(name => RunTaskAsync(plan[name])));
            }

            StartReady();
            while (running.Count > 0)
            {
                var done = await Task.WhenAny(running).ConfigureAwait(false);
                running.Remove(done);
                var (name, succeeded) = await done.ConfigureAwait(false);
                foreach (var skipped in progress.Complete(name, succeeded))
                {
                    foreach (var unit in unitsByTask[skipped])
                    {
                        runner.Skip(unit, progress.SkipReason(skipped)!);
                    }
                }

                if (!succeeded && settings.StopAllOnFailure)
                {
                    runner.KillAll();
                }

                StartReady();
            }

            foreach (var unit in all.Where(u => u.State == RunState.Queued))
            {
                runner.Skip(unit, "cancelled");
            }
        }).ConfigureAwait(false);
        view.Finish(all);
        return all;
    }

    private static IReadOnlyList<string> Members(Plan plan, string target) =>
        plan.Inventory.Groups.TryGetValue(target, out var members) ? members : [target];
}
