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
internal sealed class JobActor : ReceiveActor, IWithTimers
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

    /// <summary>The daemon's grace period is over: copies still running are killed (its commands are killed by the daemon).</summary>
    public sealed record Draining
    {
        public static Draining Instance { get; } = new();
    }

    /// <summary>Bytes of this job's output the writer has committed.</summary>
    public sealed record Flushed(long Bytes);

    /// <summary>Told to the parent once the job's last record is posted.</summary>
    public sealed record Ended(string JobId, JobState State);

    private sealed record SessionsResolved(IReadOnlyDictionary<string, SessionFound?> Sessions);

    /// <summary>A command's stdin file is written (or failed): the command may start.</summary>
    private sealed record StdinReady(int Index, string? Path, string? Command, Exception? Error);

    /// <summary>A copy task ended: its report line, or why it failed.</summary>
    private sealed record CopyEnded(int Index, string? Line, Exception? Error);

    /// <summary>A copy task running in the daemon.</summary>
    private sealed class CopyRun : IDisposable
    {
        public CancellationTokenSource Cancel { get; } = new();

        /// <summary>Cancelled by a kill (not by its timeout).</summary>
        public bool Killed { get; set; }

        public void Dispose() => Cancel.Dispose();
    }

    private sealed record FlushOutput
    {
        public static FlushOutput Instance { get; } = new();
    }

    /// <summary>A chunk is stored once the next line would take it past this size, or at the next flush tick.</summary>
    private const int ChunkBytes = 256 * 1024;

    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);

    private sealed class Unit(int index, JobTask task)
    {
        public int Index { get; } = index;

        public JobTask Task { get; } = task;

        public JobState State { get; set; } = JobState.Queued;

        public string? TaskId { get; set; }

        public IActorRef? Session { get; set; }

        public DateTimeOffset? StartedAt { get; set; }

        /// <summary>Running, its stdin file still being written: the command is not on the session yet.</summary>
        public bool Preparing { get; set; }
    }

    private readonly Settings _settings;
    private readonly Unit[] _units;
    private readonly Dictionary<string, Unit> _byTaskId = new(StringComparer.Ordinal);
    private readonly Queue<(IActorRef TaskActor, CommandOutputAck Ack)> _heldAcks = new();
    private readonly Dictionary<(int Task, bool Stderr), OutputText.Builder> _pending = new();
    private readonly Dictionary<int, CopyRun> _copies = new();
    private readonly List<string> _opened = [];
    private readonly Dictionary<string, (IActorRef Actor, SessionSpec Spec)> _sessions = new(StringComparer.Ordinal);
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
            OpenSessions(resolved.Sessions);
            _resolved = true;
            _job = _job with { State = JobState.Running, StartedAt = DateTimeOffset.UtcNow };
            Post(new JobWrite.JobUpdated(_job));
            Schedule();
        });
        Receive<CommandOutput>(OnOutput);
        Receive<FlushOutput>(_ => FlushPending(null));
        Receive<CommandCompleted>(OnCompleted);
        Receive<CopyEnded>(OnCopyEnded);
        Receive<StdinReady>(OnStdinReady);
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
                Kill(unit);
            }

            FinishIfDone();
        });
        Receive<Draining>(_ =>
        {
            _stopping = true;
            SkipQueued("the daemon stopped before it started");
            foreach (var unit in _units.Where(u => u.State == JobState.Running && (_copies.ContainsKey(u.Index) || u.Preparing)))
            {
                Kill(unit);
            }

            FinishIfDone();
        });
        Receive<Stopping>(_ =>
        {
            _stopping = true;
            SkipQueued("the daemon stopped before it started");
            foreach (var unit in _units.Where(u => u.Preparing))
            {
                // Not on its session yet: it does not start now.
                Kill(unit);
            }

            FinishIfDone();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Settings settings) => Akka.Actor.Props.Create(() => new JobActor(settings));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("flush", FlushOutput.Instance, FlushInterval);
        var manager = _settings.Sessions;
        var names = _units.SelectMany(u => u.Task.Copy is { } copy ? new[] { copy.FromSession, copy.ToSession } : [u.Task.Session]).Distinct(StringComparer.Ordinal).ToArray();
        ResolveAsync(manager, names, RControl.Configuration.RControlSettings.Get(Context.System).AskTimeout).PipeTo(Self, success: s => new SessionsResolved(s));
    }

    protected override void PostStop()
    {
        foreach (var copy in _copies.Values)
        {
            copy.Cancel.Cancel();
            copy.Dispose();
        }
    }

    private static async Task<IReadOnlyDictionary<string, SessionFound?>> ResolveAsync(IActorRef manager, IReadOnlyList<string> names, TimeSpan askTimeout)
    {
        var found = new Dictionary<string, SessionFound?>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            try
            {
                var answer = await manager.Ask<object>(new GetSession(name), askTimeout).ConfigureAwait(false);
                found[name] = answer as SessionFound;
            }
            catch (AskTimeoutException)
            {
                found[name] = null;
            }
        }

        return found;
    }

    /// <summary>
    /// The daemon's sessions by name; a name it does not know, brought by the job (<see cref="JobRequest.Sessions"/>),
    /// is opened as the job's own session: a child, closed with the job, seen by no one else.
    /// </summary>
    private void OpenSessions(IReadOnlyDictionary<string, SessionFound?> found)
    {
        foreach (var (name, session) in found)
        {
            if (session is not null)
            {
                _sessions[name] = (session.Session, session.Spec);
            }
            else if (_settings.Request.Sessions.TryGetValue(name, out var spec))
            {
                var actor = Context.ActorOf(SessionActor.Props(name, spec), $"session-{Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant()}");
                _sessions[name] = (actor, spec);
                _opened.Add(name);
                _settings.Audit.Session(_job.Owner, _settings.Source, "opened", $"{name} (for job {_job.Id})");
            }
        }
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
        if (unit.Task.Copy is { } copy)
        {
            StartCopy(unit, copy);
            return;
        }

        if (!_sessions.TryGetValue(unit.Task.Session, out var found))
        {
            unit.StartedAt = DateTimeOffset.UtcNow;
            End(unit, JobState.Failed, null, $"the daemon has no session '{unit.Task.Session}'");
            return;
        }

        var task = unit.Task;
        unit.TaskId = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        unit.Session = found.Actor;
        unit.State = JobState.Running;
        unit.StartedAt = DateTimeOffset.UtcNow;
        _byTaskId[unit.TaskId] = unit;
        Post(new JobWrite.TaskStarted(_job.Id, unit.Index, unit.StartedAt.Value));
        _settings.Audit.CommandStarted(_job.Owner, _settings.Source, task.Session, unit.TaskId, $"job {_job.Id}: {task.Command}");
        if (_settings.Request.Stdin is { } stdin)
        {
            unit.Preparing = true;
            var index = unit.Index;
            JobStdin.PrepareAsync(found.Spec, stdin, task.Command, SshConnects, CancellationToken.None)
                .PipeTo(Self, success: r => new StdinReady(index, r.Path, r.Command, null), failure: e => new StdinReady(index, null, null, e));
            return;
        }

        Execute(unit, task.Command);
    }

    private void Execute(Unit unit, string command)
    {
        var spec = new CommandSpec(command)
        {
            CombineStderr = unit.Task.CombineStderr,
            Timeout = unit.Task.Timeout,
            OutputTimeout = unit.Task.OutputTimeout,
        };
        unit.Session!.Tell(new ExecuteCommand(unit.TaskId!, spec), Self);
    }

    private void OnStdinReady(StdinReady ready)
    {
        var unit = _units[ready.Index];
        if (!unit.Preparing)
        {
            // Killed while its stdin was written: the command never runs, and its file goes.
            if (ready.Path is { } path)
            {
                _ = JobStdin.RemoveAsync(_sessions[unit.Task.Session].Spec, path, SshConnects);
            }

            return;
        }

        unit.Preparing = false;
        if (ready.Command is not { } command)
        {
            var error = ready.Error is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : ready.Error;
            _byTaskId.Remove(unit.TaskId!);
            End(unit, JobState.Failed, null, $"stdin: {error?.Message}");
            AfterEnd(unit, JobState.Failed);
            return;
        }

        Execute(unit, command);
    }

    /// <summary>The daemon's bound on SSH connects (<c>rcontrol.ssh.max-connects-in-flight</c>): its copies and stdin files connect under it too.</summary>
    private Transports.Ssh.SshConnectSlots SshConnects => RControl.Configuration.RControlSettings.Get(Context.System).SshConnects;

    private void StartCopy(Unit unit, JobCopy copy)
    {
        unit.StartedAt = DateTimeOffset.UtcNow;
        if (new[] { copy.FromSession, copy.ToSession }.FirstOrDefault(s => !_sessions.ContainsKey(s)) is { } missing)
        {
            End(unit, JobState.Failed, null, $"the daemon has no session '{missing}'");
            return;
        }

        var run = new CopyRun();
        if (unit.Task.Timeout is { } timeout)
        {
            run.Cancel.CancelAfter(timeout);
        }

        _copies[unit.Index] = run;
        unit.State = JobState.Running;
        Post(new JobWrite.TaskStarted(_job.Id, unit.Index, unit.StartedAt.Value));
        _settings.Audit.File(_job.Owner, _settings.Source, copy.FromSession, $"job {_job.Id}: copy from", copy.FromPath);
        _settings.Audit.File(_job.Owner, _settings.Source, copy.ToSession, $"job {_job.Id}: copy to", copy.ToPath);
        var index = unit.Index;
        JobCopier.RunAsync(copy, _sessions[copy.FromSession].Spec, _sessions[copy.ToSession].Spec, SshConnects, run.Cancel.Token)
            .PipeTo(Self, success: line => new CopyEnded(index, line, null), failure: e => new CopyEnded(index, null, e));
    }

    private void OnCopyEnded(CopyEnded ended)
    {
        if (!_copies.Remove(ended.Index, out var run))
        {
            return;
        }

        var unit = _units[ended.Index];
        if (ended.Line is { } line)
        {
            Store(unit, stderr: false, [line]);
        }

        var error = ended.Error is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : ended.Error;
        var (state, reason) = error switch
        {
            null => (JobState.Succeeded, (string?)null),
            // However the copy reported its cancellation (cancelled, or a file error wrapping it).
            _ when run.Killed => (JobState.Killed, _killedBy is { } who ? $"killed by {who}" : _stopping ? "killed: the daemon stopped" : "killed"),
            _ when run.Cancel.IsCancellationRequested => (JobState.TimedOut, "timed out"),
            _ => (JobState.Failed, error.Message),
        };
        run.Dispose();
        End(unit, state, null, reason);
        AfterEnd(unit, state);
    }

    private void Kill(Unit unit)
    {
        if (unit.Preparing)
        {
            unit.Preparing = false;
            _byTaskId.Remove(unit.TaskId!);
            End(unit, JobState.Killed, null, KilledReason(null));
        }
        else if (_copies.TryGetValue(unit.Index, out var copy))
        {
            copy.Killed = true;
            copy.Cancel.Cancel();
        }
        else
        {
            unit.Session!.Tell(new KillCommand(unit.TaskId!), Self);
        }
    }

    private void OnOutput(CommandOutput output)
    {
        var ack = new CommandOutputAck(output.TaskId, output.Stream);
        if (!_byTaskId.TryGetValue(output.TaskId, out var unit))
        {
            Sender.Tell(ack, Self);
            return;
        }

        Store(unit, output.Stream == OutputStream.Stderr, output.Lines);
        if (_unflushed > _settings.Options.MaxUnflushedBytes)
        {
            _heldAcks.Enqueue((Sender, ack));
        }
        else
        {
            Sender.Tell(ack, Self);
        }
    }

    /// <summary>
    /// Keeps lines of a task for the store, encoded as they come into the chunk of its task and stream (up to the job's
    /// cap; the first line beyond it marks the job truncated).
    /// </summary>
    private void Store(Unit unit, bool stderr, string[] lines)
    {
        if (_truncated || lines.Length == 0)
        {
            return;
        }

        var key = (unit.Index, stderr);
        var cap = _settings.Options.OutputCapBytes;
        if (!_pending.TryGetValue(key, out var pending))
        {
            _pending[key] = pending = new OutputText.Builder(DateTimeOffset.UtcNow);
        }

        foreach (var line in lines)
        {
            if (pending.Length > 0 && pending.Length + OutputText.Builder.MaxBytes(line) > ChunkBytes)
            {
                FlushPending(key);
                _pending[key] = pending = new OutputText.Builder(DateTimeOffset.UtcNow);
            }

            var size = pending.Append(line, cap - _stored);
            if (size < 0)
            {
                _truncated = true;
                break;
            }

            _stored += size;
            _unflushed += size;
        }

        if (_truncated)
        {
            FlushPending(null);
            _job = _job with { Truncated = true, OutputBytes = _stored };
            Post(new JobWrite.JobUpdated(_job));
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
            CommandEnd.Killed => (JobState.Killed, KilledReason(completed.Error)),
            _ => (JobState.Failed, completed.Error ?? "failed"),
        };
        End(unit, state, completed.ExitCode, error);
        AfterEnd(unit, state);
    }

    private string KilledReason(string? error) => _killedBy is { } who ? $"killed by {who}" : _stopping ? "killed: the daemon stopped" : error ?? "killed";

    /// <summary>A task ended: with stop-all, a failure ends the rest; then what may start, starts.</summary>
    private void AfterEnd(Unit unit, JobState state)
    {
        if (state != JobState.Succeeded && _settings.Request.StopAllOnFailure && !_failedOnce)
        {
            _failedOnce = true;
            SkipQueued("skipped: another task failed (stop-all)");
            foreach (var other in _units.Where(u => u.State == JobState.Running && u != unit))
            {
                Kill(other);
            }
        }

        Schedule();
    }

    private void End(Unit unit, JobState state, int? exitCode, string? error)
    {
        var duration = unit.StartedAt is { } started ? DateTimeOffset.UtcNow - started : TimeSpan.Zero;
        FlushPending(null);
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
            // As exec: a task skipped after another's failure or timeout adds nothing; the cause sets the status.
            : states.Any(s => s is JobState.Failed or JobState.Killed) ? JobState.Failed
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

        foreach (var name in _opened)
        {
            // Stopped with the job (its children).
            _settings.Audit.Session(_job.Owner, _settings.Source, "closed", $"{name} (for job {_job.Id})");
        }

        Context.Parent.Tell(new Ended(_job.Id, state));
        Context.Stop(Self);
    }

    /// <summary>Posts the gathered lines as chunks: of one task and stream, or all (in the order they began).</summary>
    private void FlushPending((int Task, bool Stderr)? only)
    {
        foreach (var (key, pending) in _pending.Where(p => only is null || p.Key == only).OrderBy(p => p.Value.At).ToArray())
        {
            _pending.Remove(key);
            if (pending.LineCount == 0)
            {
                pending.Discard();
                continue;
            }

            Post(new JobWrite.Output(_job.Id, ++_seq, key.Task, key.Stderr, pending.At, pending.Build()));
        }
    }

    private void Post(JobWrite write) => _settings.Writer.Post(write);
}
