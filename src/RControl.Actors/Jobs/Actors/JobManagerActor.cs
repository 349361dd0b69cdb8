using RControl.Protocol;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using RControl.Security;
using P = RControl.Jobs.JobProtocol;

namespace RControl.Jobs;

/// <summary>
/// The daemon's jobs (unguessable name; reached only through a logged-in <see cref="Actors.ClientConnectionActor"/>): starts a
/// <see cref="JobActor"/> per submitted job, answers queries from the store, holds follow and wait requests open until
/// there is something new, applies retention. A job is its submitter's; holders of <c>kill</c> (or <c>admin</c>) on every
/// session of a job may see and kill it too; every denial is audited.
/// </summary>
internal sealed class JobManagerActor : ReceiveActor, IWithTimers
{
    /// <summary>A request of a logged-in client, with who asks.</summary>
    public sealed record Request(Grant Grant, string Source, object Message);

    /// <summary>Start nothing more; answered with <see cref="Drained"/> once every job has ended and is stored.</summary>
    public sealed record Drain
    {
        public static Drain Instance { get; } = new();
    }

    public sealed record Drained
    {
        public static Drained Instance { get; } = new();
    }

    /// <summary>The daemon is stopping: jobs start nothing more.</summary>
    public sealed record Stop
    {
        public static Stop Instance { get; } = new();
    }

    /// <summary>Batches the writer committed.</summary>
    public sealed record Committed(IReadOnlyList<JobWrite> Writes);

    private sealed record JobStored(string JobId);

    private sealed record Park(string JobId, Waiter Waiter);

    private sealed record Expired(Waiter Waiter);

    private sealed record KillChecked(string JobId, string Identity, IActorRef ReplyTo);

    private sealed record RetentionTick
    {
        public static RetentionTick Instance { get; } = new();
    }

    /// <summary>A request held open until its job has news.</summary>
    private sealed class Waiter(Request request, IActorRef replyTo, bool forOutput)
    {
        public Request Request { get; } = request;

        public IActorRef ReplyTo { get; } = replyTo;

        public bool ForOutput { get; } = forOutput;
    }

    private readonly IJobStore _store;
    private readonly JobStoreWriter _writer;
    private readonly IActorRef _sessions;
    private readonly AuditLog _audit;
    private readonly JobsOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IScheduler _scheduler = Context.System.Scheduler;
    private readonly Dictionary<string, IActorRef> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Waiter>> _waiters = new(StringComparer.Ordinal);
    private readonly List<IActorRef> _drainers = [];
    private bool _stopping;
    private int _queriesFailing;

    public JobManagerActor(IJobStore store, JobStoreWriter writer, IActorRef sessions, AuditLog audit, JobsOptions options)
    {
        _store = store;
        _writer = writer;
        _sessions = sessions;
        _audit = audit;
        _options = options;
        Receive<Request>(OnRequest);
        Receive<JobActor.Ended>(ended => _writer.FlushAsync().PipeTo(Self, success: () => new JobStored(ended.JobId)));
        Receive<JobStored>(stored =>
        {
            _running.Remove(stored.JobId);
            Wake(stored.JobId, all: true);
            AnswerDrainers();
        });
        Receive<Committed>(OnCommitted);
        Receive<Park>(park =>
        {
            if (!_running.ContainsKey(park.JobId))
            {
                // Ended meanwhile: answer from the store again.
                Serve(park.Waiter.Request, park.Waiter.ReplyTo, TimeSpan.Zero);
                return;
            }

            if (!_waiters.TryGetValue(park.JobId, out var list))
            {
                _waiters[park.JobId] = list = [];
            }

            list.Add(park.Waiter);
        });
        Receive<Expired>(expired =>
        {
            foreach (var (jobId, list) in _waiters)
            {
                if (list.Remove(expired.Waiter))
                {
                    Serve(expired.Waiter.Request, expired.Waiter.ReplyTo, TimeSpan.Zero);
                    break;
                }
            }
        });
        Receive<KillChecked>(kill =>
        {
            var running = _running.TryGetValue(kill.JobId, out var job);
            job?.Tell(new JobActor.KillJob(kill.Identity));
            kill.ReplyTo.Tell(new P.KillAccepted(kill.JobId, running));
        });
        Receive<Stop>(_ =>
        {
            _stopping = true;
            foreach (var job in _running.Values)
            {
                job.Tell(JobActor.Stopping.Instance);
            }
        });
        Receive<Drain>(_ =>
        {
            _stopping = true;
            foreach (var job in _running.Values)
            {
                job.Tell(JobActor.Draining.Instance);
            }

            _drainers.Add(Sender);
            AnswerDrainers();
        });
        Receive<RetentionTick>(_ => ApplyRetention());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IJobStore store, JobStoreWriter writer, IActorRef sessions, AuditLog audit, JobsOptions options) =>
        Akka.Actor.Props.Create(() => new JobManagerActor(store, writer, sessions, audit, options));

    protected override void PreStart()
    {
        var self = Self;
        _writer.Flushed = writes => self.Tell(new Committed(writes));
        Timers.StartPeriodicTimer("retention", RetentionTick.Instance, TimeSpan.FromSeconds(1), _options.RetentionInterval);
    }

    private void OnRequest(Request request)
    {
        switch (request.Message)
        {
            case P.Submit submit:
                OnSubmit(request, submit.Request);
                break;
            case P.Kill kill:
                var replyTo = Sender;
                var self = Self;
                Answer(replyTo, async () =>
                {
                    var job = await _store.GetJobAsync(kill.JobId, CancellationToken.None).ConfigureAwait(false);
                    if (job is null)
                    {
                        return new P.JobNotFound(kill.JobId);
                    }

                    if (!MayControl(request, job))
                    {
                        return Deny(request, $"client '{request.Grant.Identity}' may not kill job {job.Id} of '{job.Owner}'");
                    }

                    _audit.Job(request.Grant.Identity, request.Source, job.Id, "killed", job.Owner == request.Grant.Identity ? "its own" : $"of '{job.Owner}'");
                    self.Tell(new KillChecked(job.Id, request.Grant.Identity, replyTo));
                    return null;
                });
                break;
            default:
                Serve(request, Sender, null);
                break;
        }
    }

    private void OnSubmit(Request request, JobRequest job)
    {
        if (_stopping)
        {
            Sender.Tell(new AccessDenied("the daemon is stopping: no new jobs"));
            return;
        }

        if (_writer.Unavailable is { } down)
        {
            // Running jobs go on, their records held until the store is back; a new one is refused rather than kept nowhere.
            Sender.Tell(new AccessDenied($"the job store {_writer.StoreName} is unavailable ({down}): no new jobs until it is back"));
            return;
        }

        if (Invalid(job) is { } problem)
        {
            Sender.Tell(new AccessDenied($"bad job: {problem}"));
            return;
        }

        // The grants a run that is not detached would need: open for the sessions it brings, exec for commands (and
        // file-write with a stdin, which goes to the session as a file), file-read and file-write for a copy's ends.
        var needed = job.Sessions.Keys.Select(s => (Operation.Open, s))
            .Concat(job.Tasks.SelectMany(t => t.Copy is { } copy
                ? new[] { (Operation.FileRead, copy.FromSession), (Operation.FileWrite, copy.ToSession) }
                : job.Stdin is not null ? [(Operation.Exec, t.Session), (Operation.FileWrite, t.Session)] : [(Operation.Exec, t.Session)]))
            .Distinct();
        foreach (var (operation, session) in needed)
        {
            if (!request.Grant.Allows(operation, session))
            {
                Sender.Tell(Deny(request, $"{request.Grant.Refusal(operation, session)} (job: {job.Description})"));
                return;
            }
        }

        var id = NewId();
        var info = new JobInfo(id, request.Grant.Identity, job.Kind, job.Description, JobState.Queued, DateTimeOffset.UtcNow)
        {
            Targets = job.Tasks.SelectMany(t => t.Copy is { } copy ? new[] { t.Session, copy.FromSession, copy.ToSession } : [t.Session]).Distinct(StringComparer.Ordinal).ToArray(),
        };
        var tasks = job.Tasks.Select((t, i) => new JobTaskInfo(i, t.Name, t.Session, t.Command, JobState.Queued)).ToArray();
        _writer.Post(new JobWrite.JobCreated(info, tasks));
        _audit.Job(request.Grant.Identity, request.Source, id, "submitted", $"{job.Kind} on {string.Join(", ", info.Targets)}: {job.Description}");
        var actor = Context.ActorOf(JobActor.Props(new JobActor.Settings(info, job, request.Source, _sessions, _writer, _audit, _options)), $"job-{id}");
        _running[id] = actor;
        _writer.FlushAsync().PipeTo(Sender, success: () => new P.Submitted(id));
    }

    private static string? Invalid(JobRequest job)
    {
        if (job.Tasks.Count == 0)
        {
            return "no tasks";
        }

        if (job.Kind is not ("exec" or "plan"))
        {
            return $"unknown kind '{job.Kind}'";
        }

        if (job.Sessions.Keys.FirstOrDefault(string.IsNullOrWhiteSpace) is not null)
        {
            return "a session without a name";
        }

        if (job.Stdin is { Length: > JobRequest.MaxStdinBytes } stdin)
        {
            return $"a stdin of {stdin.Length} bytes, more than the {JobRequest.MaxStdinBytes} a job takes";
        }

        var names = job.Tasks.Where(t => t.Name is not null).Select(t => t.Name!).ToHashSet(StringComparer.Ordinal);
        foreach (var task in job.Tasks)
        {
            if (string.IsNullOrWhiteSpace(task.Command) || string.IsNullOrWhiteSpace(task.Session))
            {
                return "a task without a command or session";
            }

            if (task.Copy is { } copy && new[] { copy.FromSession, copy.FromPath, copy.ToSession, copy.ToPath }.Any(string.IsNullOrWhiteSpace))
            {
                return $"copy task '{task.Label}' without a session or path";
            }

            if (task.After.FirstOrDefault(a => !names.Contains(a)) is { } unknown)
            {
                return $"task '{task.Label}' comes after unknown task '{unknown}'";
            }

            if (task.Name is not null && task.After.Contains(task.Name))
            {
                return $"task '{task.Label}' comes after itself";
            }
        }

        return null;
    }

    /// <summary>Answers a query from the store; output and wait requests on a running job are parked for up to <paramref name="wait"/>.</summary>
    private void Serve(Request request, IActorRef replyTo, TimeSpan? wait)
    {
        var self = Self;
        switch (request.Message)
        {
            case P.Get get:
                Answer(replyTo, async () =>
                {
                    var job = await _store.GetJobAsync(get.JobId, CancellationToken.None).ConfigureAwait(false);
                    return job is null ? new P.JobNotFound(get.JobId)
                        : MayControl(request, job) ? new P.Found(job)
                        : Deny(request, $"client '{request.Grant.Identity}' may not see job {job.Id} of '{job.Owner}'");
                });
                break;
            case P.WaitFor waitFor:
                Answer(replyTo, async () =>
                {
                    var job = await _store.GetJobAsync(waitFor.JobId, CancellationToken.None).ConfigureAwait(false);
                    if (job is null)
                    {
                        return new P.JobNotFound(waitFor.JobId);
                    }

                    if (!MayControl(request, job))
                    {
                        return Deny(request, $"client '{request.Grant.Identity}' may not see job {job.Id} of '{job.Owner}'");
                    }

                    var holdFor = wait ?? Clamp(waitFor.Wait);
                    if (!job.State.IsEnded() && holdFor > TimeSpan.Zero)
                    {
                        ParkFor(self, job.Id, new Waiter(request, replyTo, forOutput: false), holdFor);
                        return null;
                    }

                    return new P.Found(job);
                });
                break;
            case P.ReadOutput read:
                Answer(replyTo, async () =>
                {
                    var job = await _store.GetJobAsync(read.JobId, CancellationToken.None).ConfigureAwait(false);
                    if (job is null)
                    {
                        return new P.JobNotFound(read.JobId);
                    }

                    if (!MayControl(request, job))
                    {
                        return Deny(request, $"client '{request.Grant.Identity}' may not read the output of job {job.Id} of '{job.Owner}'");
                    }

                    // The job's state is read before its chunks: an ended job has every chunk stored already.
                    var ended = job.State.IsEnded();
                    var stored = await _store.ReadOutputAsync(job.Id, read.AfterSeq, P.MaxChunksPerPage, CancellationToken.None).ConfigureAwait(false);
                    var page = new List<P.OutputChunk>();
                    var chars = 0L;
                    foreach (var chunk in stored)
                    {
                        if (page.Count > 0 && chars >= P.MaxCharsPerPage)
                        {
                            break;
                        }

                        page.Add(new P.OutputChunk(chunk.Seq, chunk.TaskIndex, chunk.Stderr, chunk.At, chunk.Lines));
                        chars += chunk.Lines.Sum(l => (long)l.Length + 1);
                    }

                    var holdFor = wait ?? Clamp(read.Wait);
                    if (page.Count == 0 && !ended && holdFor > TimeSpan.Zero)
                    {
                        ParkFor(self, job.Id, new Waiter(request, replyTo, forOutput: true), holdFor);
                        return null;
                    }

                    var last = page.Count > 0 ? page[^1].Seq : read.AfterSeq;
                    return new P.OutputPage(job.Id, page, ended && page.Count == stored.Count, last);
                });
                break;
            case P.List list:
                Answer(replyTo, async () =>
                {
                    var query = list.Query with { Limit = Math.Clamp(list.Query.Limit, 1, 1000) };
                    var owner = query.Mine || !request.Grant.IsAdmin && !request.Grant.Operations.Contains(Operation.Kill) ? request.Grant.Identity : null;
                    var jobs = await _store.ListJobsAsync(query, owner, CancellationToken.None).ConfigureAwait(false);
                    return new P.JobList(jobs.Where(j => MayControl(request, j)).ToArray());
                });
                break;
            case P.ReadAudit audit:
                if (!request.Grant.IsAdmin)
                {
                    replyTo.Tell(Deny(request, $"client '{request.Grant.Identity}' may not read the audit trail (admin only)"));
                    break;
                }

                Answer(replyTo, async () =>
                {
                    var entries = await _store.ReadAuditAsync(audit.Since, audit.AfterId, Math.Clamp(audit.Limit, 1, 1000), CancellationToken.None).ConfigureAwait(false);
                    return new P.AuditPage(entries.Select(e => new P.StoredAuditEntry(e.Id, e.Entry)).ToArray());
                });
                break;
            default:
                replyTo.Tell(new AccessDenied($"unknown job request {request.Message.GetType().Name}"));
                break;
        }
    }

    private static TimeSpan Clamp(TimeSpan wait) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait > P.MaxWait ? P.MaxWait : wait;

    private void ParkFor(IActorRef self, string jobId, Waiter waiter, TimeSpan wait)
    {
        self.Tell(new Park(jobId, waiter));
        _scheduler.ScheduleTellOnce(wait, self, new Expired(waiter), ActorRefs.NoSender);
    }

    private void OnCommitted(Committed committed)
    {
        var bytesByJob = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var write in committed.Writes)
        {
            if (write is JobWrite.Output output)
            {
                bytesByJob[output.JobId] = bytesByJob.GetValueOrDefault(output.JobId) + output.Bytes;
            }
        }

        foreach (var (jobId, bytes) in bytesByJob)
        {
            if (_running.TryGetValue(jobId, out var job))
            {
                job.Tell(new JobActor.Flushed(bytes));
            }

            Wake(jobId, all: false);
        }
    }

    private void Wake(string jobId, bool all)
    {
        if (!_waiters.TryGetValue(jobId, out var list))
        {
            return;
        }

        var woken = all ? list.ToArray() : list.Where(w => w.ForOutput).ToArray();
        foreach (var waiter in woken)
        {
            list.Remove(waiter);
            Serve(waiter.Request, waiter.ReplyTo, TimeSpan.Zero);
        }

        if (list.Count == 0)
        {
            _waiters.Remove(jobId);
        }
    }

    private void AnswerDrainers()
    {
        if (_running.Count > 0 || _drainers.Count == 0)
        {
            return;
        }

        var drainers = _drainers.ToArray();
        _drainers.Clear();
        _writer.FlushAsync().ContinueWith(_ =>
        {
            foreach (var drainer in drainers)
            {
                drainer.Tell(Drained.Instance);
            }
        }, TaskScheduler.Default);
    }

    private void ApplyRetention()
    {
        var log = _log;
        var options = _options;
        _ = Task.Run(async () =>
        {
            try
            {
                var deleted = await _store.ApplyRetentionAsync(DateTimeOffset.UtcNow - options.RetentionMaxAge, options.RetentionMaxCount, CancellationToken.None).ConfigureAwait(false);
                if (deleted > 0)
                {
                    log.Info("job retention: deleted {0} ended job(s) (older than {1} or beyond the newest {2})", deleted, options.RetentionMaxAge, options.RetentionMaxCount);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                log.Warning("job retention failed: {0}", e.Message);
            }
        });
    }

    /// <summary>The owner, or a holder of kill (or admin) on every session of the job.</summary>
    private static bool MayControl(Request request, JobInfo job) =>
        string.Equals(job.Owner, request.Grant.Identity, StringComparison.Ordinal)
        || request.Grant.IsAdmin
        || (job.Targets.Count > 0 && job.Targets.All(s => request.Grant.Allows(Operation.Kill, s)));

    private AccessDenied Deny(Request request, string reason)
    {
        _audit.Denied(request.Grant.Identity, request.Source, reason);
        return new AccessDenied(reason);
    }

    /// <summary>Runs a store query off the actor and tells its answer (a null answer: the query replied or parked itself).</summary>
    private void Answer(IActorRef replyTo, Func<Task<object?>> query)
    {
        var log = _log;
        var store = _store.Name;
        _ = Task.Run(async () =>
        {
            try
            {
                if (await query().ConfigureAwait(false) is { } answer)
                {
                    replyTo.Tell(answer);
                }

                if (Interlocked.Exchange(ref _queriesFailing, 0) == 1)
                {
                    log.Warning("job store {0} answers queries again", store);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                var error = e.Message.Split('\n')[0].Trim();
                if (Interlocked.Exchange(ref _queriesFailing, 1) == 0)
                {
                    // Once per outage, not once per query (followers ask again and again).
                    log.Error("job store {0} does not answer queries: {1}", store, error);
                }

                replyTo.Tell(new AccessDenied(P.StoreUnavailable(store, error)));
            }
        });
    }

    private static string NewId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();
}
