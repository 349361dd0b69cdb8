using System.CommandLine;
using RControl.Host.Cli.Output;
using RControl.Host.Cli.Running;
using RControl.Jobs;
using RControl.Remote;

namespace RControl.Host.Cli.Commands;

/// <summary>
/// <c>rcontrol attach JOB --daemon ADDR [--live|--plain|--json]</c>: shows a job as exec would have (live view on a
/// terminal, prefixed lines otherwise), from its first line to its end; exits with its status. Ctrl+C detaches (the job
/// runs on).
/// </summary>
internal static class AttachCommand
{
    private static readonly TimeSpan StatePoll = TimeSpan.FromMilliseconds(500);

    public static Command Create()
    {
        var options = new JobCommandOptions();
        var job = JobCommandOptions.JobArgument();
        var json = new Option<bool>("--json") { Description = "One JSON object per task per line, at the end." };
        var live = new Option<bool>("--live") { Description = "Force the live view (default: only when stdout is a terminal)." };
        var plain = new Option<bool>("--plain") { Description = "Never use the live view: plain prefixed lines." };
        var command = new Command("attach", "Show a job live, as exec would have, until it ends (Ctrl+C detaches; the job runs on); exit with its status.")
        {
            job, json, live, plain,
        };
        options.AddTo(command);
        options.SetAction(command, async (parse, engine, token) =>
        {
            if (parse.GetValue(live) && parse.GetValue(plain))
            {
                throw new UsageException("--live and --plain cannot be used together");
            }

            var settings = new RunSettings
            {
                Mode = parse.GetValue(json) ? OutputMode.Json : OutputMode.Prefix,
                Live = parse.GetValue(live) ? true : parse.GetValue(plain) ? false : null,
            };
            return await AttachAsync(engine, parse.GetValue(job)!, CliRuntime.CreateView(settings), token).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Feeds a run view with a job's output and task states until the job ends.</summary>
    public static async Task<int> AttachAsync(RemoteEngine engine, string jobId, IRunView view, CancellationToken cancellationToken)
    {
        var info = await engine.GetJobAsync(jobId, waitForStore: true, cancellationToken).ConfigureAwait(false);
        var units = info.Tasks.Select(t => new RunUnit(t.Session, t.Command, t.Name)).ToArray();
        foreach (var unit in units)
        {
            view.Queued(unit);
        }

        await view.RunAsync(async () =>
        {
            using var linesDone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var states = Task.Run(() => FollowStatesAsync(engine, jobId, units, view, linesDone.Token), CancellationToken.None);
            await foreach (var line in engine.ReadJobOutputAsync(jobId, follow: true, cancellationToken).ConfigureAwait(false))
            {
                if (line.TaskIndex < units.Length)
                {
                    var unit = units[line.TaskIndex];
                    Apply(unit, JobState.Running, null, view);
                    unit.AddLine(line.Stderr ? Protocol.OutputStream.Stderr : Protocol.OutputStream.Stdout, line.Text, view.KeepsOutput);
                    view.Line(unit, line.Stderr ? Protocol.OutputStream.Stderr : Protocol.OutputStream.Stdout, line.Text);
                }
            }

            await linesDone.CancelAsync().ConfigureAwait(false);
            await states.ConfigureAwait(false);
        }).ConfigureAwait(false);
        var ended = await engine.GetJobAsync(jobId, waitForStore: true, cancellationToken).ConfigureAwait(false);
        foreach (var task in ended.Tasks.Where(t => t.Index < units.Length))
        {
            Apply(units[task.Index], task.State, task, view);
        }

        view.Finish(units);
        return ended.ExitStatus;
    }

    private static async Task FollowStatesAsync(RemoteEngine engine, string jobId, RunUnit[] units, IRunView view, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var info = await engine.GetJobAsync(jobId, waitForStore: true, cancellationToken).ConfigureAwait(false);
                // Starts only: an end is shown once the output has caught up (after the last line), by the caller.
                foreach (var task in info.Tasks.Where(t => t.Index < units.Length && t.State is not (JobState.Queued or JobState.Skipped)))
                {
                    Apply(units[task.Index], JobState.Running, task, view);
                }

                await Task.Delay(StatePoll, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The output ended: the final states are applied by the caller.
        }
    }

    /// <summary>Moves a unit to the task's state, telling the view once per transition.</summary>
    private static void Apply(RunUnit unit, JobState state, JobTaskInfo? task, IRunView view)
    {
        bool started, ended;
        lock (unit.Gate)
        {
            started = unit.State == RunState.Queued && state != JobState.Queued && state != JobState.Skipped;
            if (started)
            {
                unit.State = RunState.Running;
                unit.StartedAt = task?.StartedAt ?? DateTimeOffset.UtcNow;
            }

            ended = state.IsEnded() && !unit.IsEnded;
            if (ended)
            {
                unit.State = state switch
                {
                    JobState.Succeeded => RunState.Succeeded,
                    JobState.TimedOut => RunState.TimedOut,
                    JobState.Skipped => RunState.Skipped,
                    _ => RunState.Failed,
                };
                unit.ExitCode = task?.ExitCode;
                unit.TimedOut = state == JobState.TimedOut;
                unit.Error = task?.Error;
                unit.StartedAt = task?.StartedAt ?? unit.StartedAt;
                unit.EndedAt = task?.EndedAt ?? DateTimeOffset.UtcNow;
            }
        }

        if (started)
        {
            view.Started(unit);
        }

        if (ended)
        {
            view.Ended(unit);
        }
    }
}
