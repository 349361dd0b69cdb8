using RControl.Protocol;
using RControl.Host.Cli.Plans;
using RControl.Host.Cli.Running;
using RControl.Host.Cli.Targets;
using RControl.Jobs;

namespace RControl.Host.Cli.Commands;

/// <summary>
/// <c>exec … --detach</c> and <c>run plan --detach</c>: the work as a job for the daemon (on its own sessions), submitted;
/// its id printed alone on stdout.
/// </summary>
internal static class DetachedJob
{
    /// <summary>An exec as a job: one task per target, each a daemon session.</summary>
    public static JobRequest ForExec(IReadOnlyList<Target> targets, string command, RunSettings settings, CliEngine engine)
    {
        var tasks = targets.Select(t => Configure(new JobTask(DaemonSession(t.Name, engine), command), settings, settings.ExpectedExitCode, settings.CombineStderr, settings.Timeout, settings.OutputTimeout)).ToArray();
        return new JobRequest(command, tasks) { Kind = "exec", Fanout = settings.Fanout };
    }

    /// <summary>A plan as a job: one task per plan task and member session; copies cannot be detached yet.</summary>
    public static JobRequest ForPlan(Plan plan, string path, RunSettings settings, CliEngine engine)
    {
        var tasks = new List<JobTask>();
        foreach (var task in plan.Tasks)
        {
            if (task.Copy is not null)
            {
                throw new UsageException($"--detach: task '{task.Name}' is a copy; a detached plan runs commands only (run it without --detach)");
            }

            var members = plan.Inventory.Groups.TryGetValue(task.Target, out var group) ? group : [task.Target];
            foreach (var member in members)
            {
                tasks.Add(Configure(
                    new JobTask(DaemonSession(member, engine), task.Run!) { Name = task.Name, After = task.After },
                    settings,
                    task.ExpectedExitCode,
                    task.CombineStderr ?? settings.CombineStderr,
                    task.Timeout ?? settings.Timeout,
                    task.OutputTimeout ?? settings.OutputTimeout));
            }
        }

        return new JobRequest(Path.GetFileName(path), tasks) { Kind = "plan", Fanout = settings.Fanout, StopAllOnFailure = settings.StopAllOnFailure };
    }

    /// <summary>Submits and prints the id alone (for <c>id=$(rcontrol exec … --detach)</c>).</summary>
    public static async Task<int> SubmitAsync(CliEngine engine, JobRequest request, CancellationToken cancellationToken)
    {
        var remote = engine.Remote ?? throw new UsageException("--detach needs --daemon: only a daemon keeps jobs");
        string id;
        try
        {
            id = await remote.SubmitAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Remote.AccessDeniedException e)
        {
            await Console.Error.WriteLineAsync($"rcontrol: error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        await Console.Out.WriteLineAsync(id).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static JobTask Configure(JobTask task, RunSettings settings, int? expected, bool combine, TimeSpan? timeout, TimeSpan? outputTimeout) => task with
    {
        ExpectedExitCode = expected,
        CombineStderr = combine,
        Timeout = timeout,
        OutputTimeout = outputTimeout,
    };

    private static string DaemonSession(string name, CliEngine engine) =>
        engine.KnownSessions.Sessions.ContainsKey(name)
            ? name
            : throw new UsageException($"--detach: '{name}' is not one of the daemon's sessions (a job runs on the daemon's sessions: {string.Join(", ", engine.KnownSessions.Sessions.Keys.Order())})");
}
