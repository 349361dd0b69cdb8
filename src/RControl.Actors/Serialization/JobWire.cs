using System.Runtime.Serialization;
using RControl.Jobs;
using P = RControl.Jobs.JobProtocol;
using W = RControl.Protocol.Wire;

namespace RControl.Serialization;

/// <summary>Maps the jobs protocol (<c>jobs.proto</c>) to and from its records; every value read is checked.</summary>
internal static class JobWire
{
    /// <summary>The most tasks one job may hold.</summary>
    public const int MaxTasks = 10_000;

    /// <summary>The longest duration on the wire (timeouts, waits): about 290 million years fit a long; this is plenty.</summary>
    private static readonly long MaxDurationMs = (long)TimeSpan.FromDays(3650).TotalMilliseconds;

    public static W.SubmitJob ToWire(P.Submit m)
    {
        var wire = new W.SubmitJob { Description = m.Request.Description, Kind = m.Request.Kind, Fanout = m.Request.Fanout, StopAllOnFailure = m.Request.StopAllOnFailure };
        foreach (var task in m.Request.Tasks)
        {
            var t = new W.JobTask { Session = task.Session, Command = task.Command, CombineStderr = task.CombineStderr };
            if (task.Name is { } name)
            {
                t.Name = name;
            }

            t.After.AddRange(task.After);
            if (task.Timeout is { } timeout)
            {
                t.TimeoutMs = (long)timeout.TotalMilliseconds;
            }

            if (task.OutputTimeout is { } outputTimeout)
            {
                t.OutputTimeoutMs = (long)outputTimeout.TotalMilliseconds;
            }

            if (task.ExpectedExitCode is { } code)
            {
                t.ExpectedExitCode = code;
            }

            if (task.Copy is { } copy)
            {
                t.Copy = new W.JobCopy { FromSession = copy.FromSession, FromPath = copy.FromPath, ToSession = copy.ToSession, ToPath = copy.ToPath };
            }

            wire.Tasks.Add(t);
        }

        foreach (var (name, spec) in m.Request.Sessions)
        {
            // The job opens these itself, so their secrets go with it (as an OpenSession's do).
            wire.Sessions.Add(new W.JobSession { Name = name, Spec = SessionWire.ToWire(spec, withSecrets: true) });
        }

        if (m.Request.Stdin is { Length: > 0 } stdin)
        {
            wire.Stdin = Google.Protobuf.ByteString.CopyFrom(stdin);
        }

        return wire;
    }

    public static P.Submit FromWire(W.SubmitJob w)
    {
        if (w.Tasks.Count > MaxTasks)
        {
            throw new SerializationException($"a job of {w.Tasks.Count} tasks is more than the {MaxTasks} allowed");
        }

        var tasks = w.Tasks.Select(t => new JobTask(t.Session, t.Command)
        {
            Name = t.HasName ? t.Name : null,
            After = t.After.ToArray(),
            Timeout = t.HasTimeoutMs ? Duration(t.TimeoutMs, "timeout") : null,
            OutputTimeout = t.HasOutputTimeoutMs ? Duration(t.OutputTimeoutMs, "output timeout") : null,
            ExpectedExitCode = t.HasExpectedExitCode ? t.ExpectedExitCode : null,
            CombineStderr = t.CombineStderr,
            Copy = t.Copy is { } c ? new JobCopy(c.FromSession, c.FromPath, c.ToSession, c.ToPath) : null,
        }).ToArray();
        if (w.Sessions.Count > MaxTasks)
        {
            throw new SerializationException($"a job of {w.Sessions.Count} sessions is more than the {MaxTasks} allowed");
        }

        var sessions = new Dictionary<string, Protocol.SessionSpec>(StringComparer.Ordinal);
        foreach (var session in w.Sessions)
        {
            if (!sessions.TryAdd(session.Name, SessionWire.FromWire(session.Spec)))
            {
                throw new SerializationException($"the job names session '{session.Name}' twice");
            }
        }

        if (w.Stdin.Length > JobRequest.MaxStdinBytes)
        {
            throw new SerializationException($"the job's stdin holds {w.Stdin.Length} bytes, more than the {JobRequest.MaxStdinBytes} allowed");
        }

        return new P.Submit(new JobRequest(w.Description, tasks)
        {
            Kind = w.Kind,
            Fanout = Math.Max(1, w.Fanout),
            StopAllOnFailure = w.StopAllOnFailure,
            Sessions = sessions,
            Stdin = w.Stdin.IsEmpty ? null : w.Stdin.ToByteArray(),
        });
    }

    public static W.JobSubmitted ToWire(P.Submitted m) => new() { JobId = m.JobId };

    public static P.Submitted FromWire(W.JobSubmitted w) => new(w.JobId);

    public static W.GetJob ToWire(P.Get m) => new() { JobId = m.JobId };

    public static P.Get FromWire(W.GetJob w) => new(w.JobId);

    public static W.JobFound ToWire(P.Found m) => new() { Job = ToWire(m.Job) };

    public static P.Found FromWire(W.JobFound w) => new(FromWire(w.Job ?? throw new SerializationException("the job is missing")));

    public static W.JobNotFound ToWire(P.JobNotFound m) => new() { JobId = m.JobId };

    public static P.JobNotFound FromWire(W.JobNotFound w) => new(w.JobId);

    public static W.ListJobs ToWire(P.List m)
    {
        var wire = new W.ListJobs { RunningOnly = m.Query.RunningOnly, Mine = m.Query.Mine, Limit = m.Query.Limit };
        if (m.Query.Since is { } since)
        {
            wire.Since = since.ToUnixTimeMilliseconds();
        }

        return wire;
    }

    public static P.List FromWire(W.ListJobs w) =>
        new(new JobQuery { RunningOnly = w.RunningOnly, Mine = w.Mine, Limit = Math.Clamp(w.Limit, 1, 1000), Since = w.HasSince ? Time(w.Since, "since") : null });

    public static W.JobList ToWire(P.JobList m)
    {
        var wire = new W.JobList();
        wire.Jobs.AddRange(m.Jobs.Select(ToWire));
        return wire;
    }

    public static P.JobList FromWire(W.JobList w) => new(w.Jobs.Select(FromWire).ToArray());

    public static W.ReadJobOutput ToWire(P.ReadOutput m) => new() { JobId = m.JobId, AfterSeq = m.AfterSeq, WaitMs = (long)m.Wait.TotalMilliseconds };

    public static P.ReadOutput FromWire(W.ReadJobOutput w) => new(w.JobId, w.AfterSeq, Duration(w.WaitMs, "wait"));

    public static W.JobOutputPage ToWire(P.OutputPage m)
    {
        var wire = new W.JobOutputPage { JobId = m.JobId, Ended = m.Ended, LastSeq = m.LastSeq };
        foreach (var chunk in m.Chunks)
        {
            var c = new W.JobOutputChunk { Seq = chunk.Seq, TaskIndex = chunk.TaskIndex, Stderr = chunk.Stderr, At = chunk.At.ToUnixTimeMilliseconds() };
            c.Lines.AddRange(chunk.Lines);
            wire.Chunks.Add(c);
        }

        return wire;
    }

    public static P.OutputPage FromWire(W.JobOutputPage w) =>
        new(w.JobId, w.Chunks.Select(c => new P.OutputChunk(c.Seq, Index(c.TaskIndex), c.Stderr, Time(c.At, "chunk time"), c.Lines.ToArray())).ToArray(), w.Ended, w.LastSeq);

    public static W.KillJob ToWire(P.Kill m) => new() { JobId = m.JobId };

    public static P.Kill FromWire(W.KillJob w) => new(w.JobId);

    public static W.JobKillAccepted ToWire(P.KillAccepted m) => new() { JobId = m.JobId, WasRunning = m.WasRunning };

    public static P.KillAccepted FromWire(W.JobKillAccepted w) => new(w.JobId, w.WasRunning);

    public static W.WaitJob ToWire(P.WaitFor m) => new() { JobId = m.JobId, WaitMs = (long)m.Wait.TotalMilliseconds };

    public static P.WaitFor FromWire(W.WaitJob w) => new(w.JobId, Duration(w.WaitMs, "wait"));

    public static W.ReadAudit ToWire(P.ReadAudit m)
    {
        var wire = new W.ReadAudit { AfterId = m.AfterId, Limit = m.Limit };
        if (m.Since is { } since)
        {
            wire.Since = since.ToUnixTimeMilliseconds();
        }

        return wire;
    }

    public static P.ReadAudit FromWire(W.ReadAudit w) => new(w.HasSince ? Time(w.Since, "since") : null, w.AfterId, Math.Clamp(w.Limit, 1, 1000));

    public static W.AuditPage ToWire(P.AuditPage m)
    {
        var wire = new W.AuditPage();
        wire.Entries.AddRange(m.Entries.Select(e => new W.AuditEntry
        {
            Id = e.Id,
            At = e.Entry.At.ToUnixTimeMilliseconds(),
            Identity = e.Entry.Identity,
            Source = e.Entry.Source,
            Action = e.Entry.Action,
            Detail = e.Entry.Detail,
        }));
        return wire;
    }

    public static P.AuditPage FromWire(W.AuditPage w) =>
        new(w.Entries.Select(e => new P.StoredAuditEntry(e.Id, new AuditEntry(Time(e.At, "audit time"), e.Identity, e.Source, e.Action, e.Detail))).ToArray());

    private static W.JobInfo ToWire(JobInfo job)
    {
        var wire = new W.JobInfo
        {
            Id = job.Id,
            Owner = job.Owner,
            Kind = job.Kind,
            Description = job.Description,
            State = job.State.Name(),
            CreatedAt = job.CreatedAt.ToUnixTimeMilliseconds(),
            Succeeded = job.Succeeded,
            Failed = job.Failed,
            TimedOut = job.TimedOut,
            OutputBytes = job.OutputBytes,
            Truncated = job.Truncated,
        };
        if (job.StartedAt is { } started)
        {
            wire.StartedAt = started.ToUnixTimeMilliseconds();
        }

        if (job.EndedAt is { } ended)
        {
            wire.EndedAt = ended.ToUnixTimeMilliseconds();
        }

        wire.Targets.AddRange(job.Targets);
        foreach (var task in job.Tasks)
        {
            var t = new W.JobTaskInfo { Index = task.Index, Session = task.Session, Command = task.Command, State = task.State.Name() };
            if (task.Name is { } name)
            {
                t.Name = name;
            }

            if (task.StartedAt is { } s)
            {
                t.StartedAt = s.ToUnixTimeMilliseconds();
            }

            if (task.EndedAt is { } e)
            {
                t.EndedAt = e.ToUnixTimeMilliseconds();
            }

            if (task.ExitCode is { } code)
            {
                t.ExitCode = code;
            }

            if (task.Error is { } error)
            {
                t.Error = error;
            }

            wire.Tasks.Add(t);
        }

        return wire;
    }

    private static JobInfo FromWire(W.JobInfo w) =>
        new(w.Id, w.Owner, w.Kind, w.Description, State(w.State), Time(w.CreatedAt, "created"))
        {
            StartedAt = w.HasStartedAt ? Time(w.StartedAt, "started") : null,
            EndedAt = w.HasEndedAt ? Time(w.EndedAt, "ended") : null,
            Succeeded = w.Succeeded,
            Failed = w.Failed,
            TimedOut = w.TimedOut,
            OutputBytes = w.OutputBytes,
            Truncated = w.Truncated,
            Targets = w.Targets.ToArray(),
            Tasks = w.Tasks.Select(t => new JobTaskInfo(Index(t.Index), t.HasName ? t.Name : null, t.Session, t.Command, State(t.State))
            {
                StartedAt = t.HasStartedAt ? Time(t.StartedAt, "task started") : null,
                EndedAt = t.HasEndedAt ? Time(t.EndedAt, "task ended") : null,
                ExitCode = t.HasExitCode ? t.ExitCode : null,
                Error = t.HasError ? t.Error : null,
            }).ToArray(),
        };

    private static JobState State(string name)
    {
        try
        {
            return JobStates.Parse(name);
        }
        catch (FormatException e)
        {
            throw new SerializationException(e.Message, e);
        }
    }

    private static int Index(int index) =>
        index is >= 0 and < MaxTasks ? index : throw new SerializationException($"task index {index} is outside 0..{MaxTasks - 1}");

    private static DateTimeOffset Time(long ms, string field) =>
        ms is >= 0 and <= 253402300799999 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : throw new SerializationException($"{field} time {ms} is out of range");

    private static TimeSpan Duration(long ms, string field) =>
        ms >= 0 && ms <= MaxDurationMs ? TimeSpan.FromMilliseconds(ms) : throw new SerializationException($"{field} of {ms} ms is out of range");
}
