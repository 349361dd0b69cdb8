using Akka.Actor;
using Microsoft.Extensions.Logging;
using RControl.Security;

namespace RControl.Jobs;

/// <summary>
/// Jobs for an engine that serves remote clients (the daemon): given to <c>WithRControl</c>
/// (<see cref="Hosting.RControlHostingOptions.Jobs"/>), it keeps jobs, their output and the audit trail in
/// <see cref="Store"/>, and lets logged-in clients submit and follow jobs that outlive them.
/// </summary>
internal sealed class JobService : IAsyncDisposable
{
    private JobStoreWriter? _writer;
    private IActorRef _manager = ActorRefs.Nobody;

    public JobService(IJobStore store, JobsOptions? options = null)
    {
        Store = store ?? throw new ArgumentNullException(nameof(store));
        Options = options ?? new JobsOptions();
    }

    /// <summary>Where jobs, output and the audit trail are kept.</summary>
    public IJobStore Store { get; }

    public JobsOptions Options { get; }

    /// <summary>How many jobs are in each state (for metrics and health checks).</summary>
    public Task<IReadOnlyDictionary<JobState, long>> CountJobsByStateAsync(CancellationToken cancellationToken = default) =>
        Store.CountJobsByStateAsync(cancellationToken);

    /// <summary>Why the store refuses writes right now, naming it (for health checks); null while it takes them.</summary>
    public string? StoreProblem => _writer?.Unavailable is { } error ? $"the job store {Store.Name} is unavailable: {error}" : null;

    /// <summary>The persisted audit trail, once started.</summary>
    internal IAuditTrail? Trail => _writer;

    internal JobStoreWriter Writer(ILogger log) => _writer ??= new JobStoreWriter(Store, log);

    /// <summary>Starts the jobs' actor (called by the engine's start, after its session manager).</summary>
    internal IActorRef Start(ActorSystem system, IActorRef sessions, AuditLog audit, ILogger log)
    {
        var writer = Writer(log);
        _manager = system.ActorOf(JobManagerActor.Props(Store, writer, sessions, audit, Options), $"rcontrol-jobs-{Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).ToLowerInvariant()}");
        return _manager;
    }

    /// <summary>
    /// The daemon is stopping: jobs start nothing more; running tasks end (by themselves or killed by the daemon). Waits up
    /// to <paramref name="timeout"/> until every job has recorded its end.
    /// </summary>
    /// <returns>Whether every job ended and is stored in time.</returns>
    public async Task<bool> StopAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_manager.IsNobody())
        {
            return true;
        }

        try
        {
            await _manager.Ask<JobManagerActor.Drained>(JobManagerActor.Drain.Instance, timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AskTimeoutException)
        {
            return false;
        }
    }

    /// <summary>Tells running jobs to start nothing more (their running tasks go on).</summary>
    public void StopStarting()
    {
        if (!_manager.IsNobody())
        {
            _manager.Tell(JobManagerActor.Stop.Instance);
        }
    }

    /// <summary>Writes what is queued and closes the store.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }

        await Store.DisposeAsync().ConfigureAwait(false);
    }
}
