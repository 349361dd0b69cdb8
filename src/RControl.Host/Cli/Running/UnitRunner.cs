using System.Collections.Concurrent;
using RControl.Host.Cli.Output;
using RControl.Protocol;

namespace RControl.Host.Cli.Running;

/// <summary>Runs units on sessions, feeding a view, and kills what still runs when asked to stop.</summary>
public sealed class UnitRunner
{
    private readonly SessionPool _sessions;
    private readonly IRunView _view;
    private readonly ConcurrentDictionary<RunUnit, CommandTask> _running = new();

    public UnitRunner(SessionPool sessions, IRunView view)
    {
        _sessions = sessions;
        _view = view;
    }

    /// <summary>
    /// Runs a command unit to its end (never throws for a task failure: the unit records it). <paramref name="prepare"/>,
    /// when given, readies the session and returns the command line to run (e.g. <c>--stdin</c>).
    /// </summary>
    public async Task RunCommandAsync(
        RunUnit unit, CommandOptions options, CancellationToken cancellationToken, Func<Session, string, CancellationToken, Task<string>>? prepare = null)
    {
        CommandTask task;
        try
        {
            var session = await _sessions.GetAsync(unit.Session, cancellationToken).ConfigureAwait(false);
            StartupTrace.Mark("session created");
            var command = prepare is null ? unit.Command : await prepare(session, unit.Command, cancellationToken).ConfigureAwait(false);
            // Prefixed plain lines go from the engine to the view's batch of the unit, written whole at each batch's end.
            var stdout = _view.LinesOf(unit, OutputStream.Stdout);
            var stderr = options.CombinesStderr ? null : _view.LinesOf(unit, OutputStream.Stderr);
            options = options with
            {
                OnStdout = stdout is null ? (_, line) => Line(unit, OutputStream.Stdout, line) : stdout.Write,
                OnStderr = options.CombinesStderr ? null : stderr is null ? (_, line) => Line(unit, OutputStream.Stderr, line) : stderr.Write,
                OnOutputBatchEnd = stdout is null && stderr is null ? null : (_, stream) => (stream == OutputStream.Stderr ? stderr : stdout)?.EndBatch(),
            };
            Begin(unit);
            task = session.Execute(command, options);
            StartupTrace.Mark("command submitted");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Begin(unit);
            End(unit, RunState.Failed, null, false, Describe(e));
            return;
        }

        _running[unit] = task;
        await using (cancellationToken.Register(task.Cancel))
        {
            await task.Completion.ConfigureAwait(false);
        }

        _running.TryRemove(unit, out _);
        // A command's result is set before its task settles.
        var result = task.Result ?? throw new InvalidOperationException($"{task} settled without a result");
        unit.End(result, result.Error is null ? null : Describe(result.Error));
        _view.Ended(unit);
    }

    /// <summary>Runs a background operation (a copy) as a unit.</summary>
    public async Task RunWorkAsync(RunUnit unit, Func<RunUnit, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        Begin(unit);
        try
        {
            await work(unit, cancellationToken).ConfigureAwait(false);
            foreach (var line in unit.Output)
            {
                _view.Line(unit, line.Stream, line.Text);
            }

            End(unit, RunState.Succeeded, null, false, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            End(unit, RunState.Failed, null, false, Describe(e));
        }
    }

    /// <summary>Runs a unit once a fan-out slot is free; a unit still waiting when the run is cancelled is skipped.</summary>
    public async Task RunInSlotAsync(SemaphoreSlim fanout, RunUnit unit, Func<Task> run, CancellationToken cancellationToken)
    {
        try
        {
            await fanout.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Skip(unit, "cancelled");
            return;
        }

        try
        {
            await run().ConfigureAwait(false);
        }
        finally
        {
            fanout.Release();
        }
    }

    /// <summary>Marks a unit skipped.</summary>
    public void Skip(RunUnit unit, string reason) => End(unit, RunState.Skipped, null, false, reason, DateTimeOffset.UtcNow, started: false);

    /// <summary>Kills every command still running.</summary>
    public void KillAll()
    {
        foreach (var task in _running.Values)
        {
            task.Cancel();
        }
    }

    /// <summary>The message for an error, without the session/command prefix that the output already shows.</summary>
    public static string Describe(Exception e) => e switch
    {
        TaskException t => t.Reason,
        TaskErrorsException errors => string.Join("; ", errors.Errors.Select(Describe)),
        OperationCanceledException => "interrupted",
        _ => e.InnerException is { } inner && e is AggregateException ? Describe(inner) : e.Message,
    };

    private void Begin(RunUnit unit)
    {
        lock (unit.Gate)
        {
            unit.State = RunState.Running;
            unit.StartedAt = DateTimeOffset.UtcNow;
        }

        _view.Started(unit);
    }

    private void Line(RunUnit unit, OutputStream stream, string line)
    {
        unit.AddLine(stream, line, _view.KeepsOutput);
        _view.Line(unit, stream, line);
    }

    private void End(RunUnit unit, RunState state, int? exitCode, bool timedOut, string? error, DateTimeOffset? endedAt = null, bool started = true)
    {
        lock (unit.Gate)
        {
            unit.State = state;
            unit.ExitCode = exitCode;
            unit.TimedOut = timedOut;
            unit.Error = error;
            unit.EndedAt = endedAt ?? DateTimeOffset.UtcNow;
            if (!started)
            {
                unit.StartedAt = null;
            }
        }

        _view.Ended(unit);
    }
}
