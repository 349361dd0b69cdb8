using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using RControl.Actors;
using RControl.Protocol;
using RControl.Security;

namespace RControl.Jobs;

/// <summary>
/// Runs one job (child of the <see cref="JobManagerActor"/>): subscribes to its tasks on the engine's session actors
/// itself, so the tasks belong to the job and not to the client that submitted it. Starts tasks by fan-out and plan
/// dependencies, acknowledges output at once and posts it to the store's writer (holding acknowledgements only when
/// the writer falls far behind), records every start and end, and stops once every task has ended.
/// </summary>
internal sealed class JobActor : ReceiveActor
{
    /// <summary>What the job runs and where its records go.</summary>
    public sealed record Settings(JobInfo Job, JobRequest Request, string Source, IActorRef Sessions, JobStoreWriter Writer, AuditLog Audit, JobsOptions Options);

    /// <summary>Kill the job's running tasks and skip the queued ones.</summary>
    public sealed record KillJob(string Identity);

    /// <summary>The daemon is stopping: start nothing more (running tasks get the grace period, then the daemon kills them).</summary>
    public sealed record Stopping
    {
        public static Stopping Instance { get; } = new();
    }

    /// <summary>Bytes of this job's output the writer has committed.</summary>
    public sealed record Flushed(long Bytes);

    /// <summary>Told to the parent once the job's last record is posted.</summary>
    public sealed record Ended(string JobId, JobState State);

    private sealed record SessionsResolved(IReadOnlyDictionary<string, IActorRef?> Sessions);

    private sealed class Unit(int index, JobTask task)
    {
        public int Index { get; } = index;

        public JobTask Task { get; } = task;

        public JobState State { get; set; } = JobState.Queued;

        public string? TaskId { get; set; }

        public IActorRef? Session { get; set; }

        public DateTimeOffset? StartedAt { get; set; }
    }

    private readonly Settings _settings;
    private readonly Unit[] _units;
    private readonly Dictionary<string, Unit> _byTaskId = new(StringComparer.Ordinal);
    private readonly Queue<(IActorRef TaskActor, CommandOutputAck Ack)> _heldAcks = new();
    private IReadOnlyDictionary<string, IActorRef?> _sessions = new Dictionary<string, IActorRef?>();
    private JobInfo _job;
    private long _seq;
    private long _stored;
    private long _unflushed;
    private bool _truncated;
    private string? _killedBy;
    private bool _stopping;
    private bool _resolved;
    private bool _failedOnce;

    public JobActor(Settings settings)
    {
        _settings = settings;
        _job = settings.Job;
        _units = settings.Request.Tasks.Select((t, i) => new Unit(i, t)).ToArray();
        Receive<SessionsResolved>(resolved =>
        {
            _sessions = resolved.Sessions;
            _resolved = true;
            _job = _job with { State = JobState.Running, StartedAt = DateTimeOffset.UtcNow };
            Post(new JobWrite.JobUpdated(_job));
            Schedule();
        });
        Receive<CommandOutput>(OnOutput);
        Receive<CommandCompleted>(OnCompleted);
        Receive<Flushed>(flushed =>
        {
            _unflushed -= flushed.Bytes;
            while (_unflushed <= _settings.Options.MaxUnflushedBytes && _heldAcks.TryDequeue(out var held))
            {
                held.TaskActor.Tell(held.Ack, Self);
            }
        });
        Receive<KillJob>(kill =>
        {
            _killedBy ??= kill.Identity;
            SkipQueued($"the job was killed by {kill.Identity}");
            foreach (var unit in _units.Where(u => u.State == JobState.Running))
            {
                unit.Session!.Tell(new KillCommand(unit.TaskId!), Self);
            }

            FinishIfDone();
        });
        Receive<Stopping>(_ =>
        {
            _stopping = true;
            SkipQueued("the daemon stopped before it started");
            FinishIfDone();
        });
    }

    public static Props Props(Settings settings) => Akka.Actor.Props.Create(() => new JobActor(settings));

    protected override void PreStart()
    {
        var manager = _settings.Sessions;
        var names = _units.Select(u => u.Task.Session).Distinct(StringComparer.Ordinal).ToArray();
        ResolveAsync(manager, names).PipeTo(Self, success: s => new SessionsResolved(s));
    }

    private static async Task<IReadOnlyDictionary<string, IActorRef?>> ResolveAsync(IActorRef manager, IReadOnlyList<string> names)
    {
        var found = new Dictionary<string, IActorRef?>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            try
            {
                var answer = await manager.Ask<object>(new GetSession(name), TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                found[name] = answer is SessionFound f ? f.Session : null;
            }
            catch (AskTimeoutException)
            {
                found[name] = null;
            }
        }

        return found;
    }

    private void Schedule()
    {
        if (!_resolved)
        {
            return;
        }

        var running = _units.Count(u => u.State == JobState.Running);
        foreach (var unit in _units.Where(u => u.State == JobState.Queued))
        {
            if (_killedBy is not null || _stopping)
            {
                break;
            }

            switch (Dependencies(unit))
            {
                case DependencyState.Failed:
                    End(unit, JobState.Skipped, null, $"skipped: a task it comes after did not succeed");
                    continue;
                case DependencyState.Pending:
                    continue;
            }

            if (running >= Math.Max(1, _settings.Request.Fanout))
            {
                break;
            }

            Start(unit);
            running += unit.State == JobState.Running ? 1 : 0;
        }

        FinishIfDone();
    }

    private enum DependencyState
    {
        Met,
        Pending,
        Failed,
    }

    private DependencyState Dependencies(Unit unit)
    {
        var state = DependencyState.Met;
        foreach (var name in unit.Task.After)
        {
            foreach (var other in _units.Where(u => string.Equals(u.Task.Name, name, StringComparison.Ordinal)))
            {
                if (other.State.IsEnded() && other.State != JobState.Succeeded)
                {
                    return DependencyState.Failed;
                }

                if (!other.State.IsEnded())
                {
                    state = DependencyState.Pending;
                }
            }
        }

        return state;
    }

    private void Start(Unit unit)
    {
        if (_sessions.GetValueOrDefault(unit.Task.Session) is not { } session)
        {
            unit.StartedAt = DateTimeOffset.UtcNow;
            End(unit, JobState.Failed, null, $"the daemon has no session '{unit.Task.Session}'");
            return;
        }

        var task = unit.Task;
        var spec = new CommandSpec(task.Command)
        {
            CombineStderr = task.CombineStderr,
            Timeout = task.Timeout,
            OutputTimeout = task.OutputTimeout,
        };
        unit.TaskId = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        unit.Session = session;
        unit.State = JobState.Running;
        unit.StartedAt = DateTimeOffset.UtcNow;
        _byTaskId[unit.TaskId] = unit;
        Post(new JobWrite.TaskStarted(_job.Id, unit.Index, unit.StartedAt.Value));
        _settings.Audit.CommandStarted(_job.Owner, _settings.Source, task.Session, unit.TaskId, $"job {_job.Id}: {task.Command}");
        session.Tell(new ExecuteCommand(unit.TaskId, spec), Self);
    }

    private void OnOutput(CommandOutput output)
    {
        var ack = new CommandOutputAck(output.TaskId, output.Stream);
        if (!_byTaskId.TryGetValue(output.TaskId, out var unit))
        {
            Sender.Tell(ack, Self);
            return;
        }

        var lines = output.Lines;
        long bytes = 0;
        if (!_truncated)
        {
            var cap = _settings.Options.OutputCapBytes;
            var kept = 0;
            foreach (var line in lines)
            {
                var size = Encoding.UTF8.GetByteCount(line) + 1;
                if (_stored + bytes + size > cap)
                {
                    _truncated = true;
                    break;
                }

                bytes += size;
                kept++;
            }

            if (kept > 0)
            {
                _stored += bytes;
                _unflushed += bytes;
                Post(new JobWrite.Output(_job.Id, ++_seq, unit.Index, output.Stream == OutputStream.Stderr, DateTimeOffset.UtcNow, kept == lines.Length ? lines : lines[..kept]));
            }

            if (_truncated)
            {
                _job = _job with { Truncated = true, OutputBytes = _stored };
                Post(new JobWrite.JobUpdated(_job));
            }
        }

        if (_unflushed > _settings.Options.MaxUnflushedBytes)
        {
            _heldAcks.Enqueue((Sender, ack));
        }
        else
        {
            Sender.Tell(ack, Self);
        }
    }

    private void OnCompleted(CommandCompleted completed)
    {
        if (!_byTaskId.Remove(completed.TaskId, out var unit) || unit.State != JobState.Running)
        {
            return;
        }

        var expected = unit.Task.ExpectedExitCode;
        var (state, error) = completed.End switch
        {
            CommandEnd.Exited when expected is null || completed.ExitCode == expected => (JobState.Succeeded, (string?)null),
            CommandEnd.Exited => (JobState.Failed, $"exit code {completed.ExitCode} (expected {expected})"),
            CommandEnd.TimedOut => (JobState.TimedOut, "timed out"),
            CommandEnd.OutputTimedOut => (JobState.TimedOut, "timed out (no output)"),
            CommandEnd.Killed => (JobState.Killed, _killedBy is { } who ? $"killed by {who}" : _stopping ? "killed: the daemon stopped" : completed.Error ?? "killed"),
            _ => (JobState.Failed, completed.Error ?? "failed"),
        };
        End(unit, state, completed.ExitCode, error);
        if (state != JobState.Succeeded && _settings.Request.StopAllOnFailure && !_failedOnce)
        {
            _failedOnce = true;
            SkipQueued("skipped: another task failed (stop-all)");
            foreach (var other in _units.Where(u => u.State == JobState.Running))
            {
                other.Session!.Tell(new KillCommand(other.TaskId!), Self);
            }
        }

        Schedule();
    }

    private void End(Unit unit, JobState state, int? exitCode, string? error)
    {
        var duration = unit.StartedAt is { } started ? DateTimeOffset.UtcNow - started : TimeSpan.Zero;
        unit.State = state;
        Post(new JobWrite.TaskEnded(_job.Id, unit.Index, state, DateTimeOffset.UtcNow, exitCode, error));
        if (unit.TaskId is { } taskId)
        {
            _settings.Audit.CommandEnded(_job.Owner, _settings.Source, unit.Task.Session, taskId, error ?? $"exit code {exitCode}", duration, $"job {_job.Id}: {unit.Task.Command}");
        }
    }

    private void SkipQueued(string reason)
    {
        foreach (var unit in _units.Where(u => u.State == JobState.Queued))
        {
            End(unit, JobState.Skipped, null, reason);
        }
    }

    private void FinishIfDone()
    {
        if (!_resolved || _units.Any(u => !u.State.IsEnded()))
        {
            return;
        }

        var states = _units.Select(u => u.State).ToArray();
        var state = _killedBy is not null ? JobState.Killed
            : _stopping && states.Any(s => s is JobState.Killed or JobState.Skipped) ? JobState.Killed
            : states.Any(s => s is JobState.Failed or JobState.Killed or JobState.Skipped) ? JobState.Failed
            : states.Any(s => s == JobState.TimedOut) ? JobState.TimedOut
            : JobState.Succeeded;
        _job = _job with
        {
            State = state,
            EndedAt = DateTimeOffset.UtcNow,
            Succeeded = states.Count(s => s == JobState.Succeeded),
            TimedOut = states.Count(s => s == JobState.TimedOut),
            Failed = states.Count(s => s is not (JobState.Succeeded or JobState.TimedOut)),
            OutputBytes = _stored,
            Truncated = _truncated,
        };
        Post(new JobWrite.JobUpdated(_job));
        _settings.Audit.Job(_job.Owner, _settings.Source, _job.Id, "ended", state.Name());
        while (_heldAcks.TryDequeue(out var held))
        {
            held.TaskActor.Tell(held.Ack, Self);
        }

        Context.Parent.Tell(new Ended(_job.Id, state));
        Context.Stop(Self);
    }

    private void Post(JobWrite write) => _settings.Writer.Post(write);
}
