using RControl.Protocol;
using RControl.Host.Cli.Plans;
using RControl.Host.Cli.Running;
using RControl.Host.Cli.Targets;
using RControl.Jobs;

namespace RControl.Host.Cli.Commands;

/// <summary>
/// <c>exec … --detach</c> and <c>run plan --detach</c>: the work as a job for the daemon, submitted; its id printed alone
/// on stdout. Targets the daemon knows are its sessions; any other (an SSH host, a plan's own session) goes with the job,
/// which opens it in the daemon for its run, as a run that is not detached would.
/// </summary>
internal static class DetachedJob
{
    /// <summary>An exec as a job: one task per target.</summary>
    public static JobRequest ForExec(IReadOnlyList<Target> targets, string command, RunSettings settings, CliEngine engine)
    {
        var tasks = targets.Select(t => Configure(new JobTask(t.Name, command), settings, settings.ExpectedExitCode, settings.CombineStderr, settings.Timeout, settings.OutputTimeout)).ToArray();
        var specs = targets.ToDictionary(t => t.Name, t => t.Spec, StringComparer.Ordinal);
        return new JobRequest(command, tasks) { Kind = "exec", Fanout = settings.Fanout, Sessions = Brought(specs.Keys, engine, name => specs[name]) };
    }

    /// <summary>A plan as a job: one task per plan task and member session (a copy task is a copy the daemon runs).</summary>
    public static JobRequest ForPlan(Plan plan, string path, RunSettings settings, SshDefaults defaults, CliEngine engine)
    {
        var tasks = new List<JobTask>();
        var sessions = new List<string>();
        foreach (var task in plan.Tasks)
        {
            var members = plan.Inventory.Groups.TryGetValue(task.Target, out var group) ? group : [task.Target];
            foreach (var member in members)
            {
                if (task.Copy is { } copy)
                {
                    var (fromSession, fromPath) = Copies.Split(copy.From);
                    var (toSession, toPath) = Copies.Split(copy.To);
                    sessions.AddRange([fromSession, toSession]);
                    tasks.Add(JobTask.ForCopy(member, new JobCopy(fromSession, fromPath, toSession, toPath)) with
                    {
                        Name = task.Name,
                        After = task.After,
                        Timeout = task.Timeout ?? settings.Timeout,
                    });
                    continue;
                }

                sessions.Add(member);
                tasks.Add(Configure(
                    new JobTask(member, task.Run!) { Name = task.Name, After = task.After },
                    settings,
                    task.ExpectedExitCode,
                    task.CombineStderr ?? settings.CombineStderr,
                    task.Timeout ?? settings.Timeout,
                    task.OutputTimeout ?? settings.OutputTimeout));
            }
        }

        return new JobRequest(Path.GetFileName(path), tasks)
        {
            Kind = "plan",
            Fanout = settings.Fanout,
            StopAllOnFailure = settings.StopAllOnFailure,
            Sessions = Brought(sessions, engine, name => TargetResolver.SpecFor(name, plan.Inventory, defaults)),
        };
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

    /// <summary>The sessions the job brings: those of <paramref name="names"/> the daemon does not know.</summary>
    private static Dictionary<string, RControl.Protocol.SessionSpec> Brought(IEnumerable<string> names, CliEngine engine, Func<string, RControl.Protocol.SessionSpec> specFor) =>
        names.Distinct(StringComparer.Ordinal)
            .Where(name => !engine.KnownSessions.Sessions.ContainsKey(name))
            .ToDictionary(name => name, specFor, StringComparer.Ordinal);
}
