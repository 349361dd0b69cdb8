using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RControl.Security;

namespace RControl.Jobs;

/// <summary>
/// The one writer of the job store: jobs post their records and output here (never waiting), and a loop on its own
/// thread, below the jobs' priority (<see cref="WriterThread"/>), writes whatever has gathered in one transaction —
/// compressing the output there too — so storing output stays off the tasks' path. Also the persisted audit trail
/// (<see cref="IAuditTrail"/>).
/// </summary>
/// <remarks>
/// When the store refuses a write (a PostgreSQL server stopped, an SQLite file made read-only or locked), nothing is
/// dropped: the batch is retried with backoff and what jobs post meanwhile waits in memory (a job's output only up to
/// <see cref="JobsOptions.MaxUnflushedBytes"/>, then its commands' output is read no further until the store is back).
/// The outage is logged once, naming the store, and so is its end. Only a daemon stopping while the store is still
/// down gives up, after <see cref="GiveUpAfter"/>, and logs how many records are lost.
/// </remarks>
internal sealed class JobStoreWriter : IAuditTrail, IAsyncDisposable
{
    private const int MaxBatch = 4096;

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly IJobStore _store;
    private readonly ILogger _log;
    private readonly Channel<JobWrite> _channel = Channel.CreateUnbounded<JobWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private readonly CancellationTokenSource _giveUp = new();
    private volatile string? _unavailable;

    public JobStoreWriter(IJobStore store, ILogger log)
    {
        _store = store;
        _log = log;
        _loop = WriterThread.Start("rcontrol job store writer", Run);
    }

    /// <summary>How long a stopping daemon keeps trying a store that is down before it gives up the records.</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Why the store refuses writes right now (null while it takes them).</summary>
    public string? Unavailable => _unavailable;

    /// <summary>The store's name, for messages.</summary>
    public string StoreName => _store.Name;

    /// <summary>Called after each committed batch (on the writer's thread).</summary>
    public Action<IReadOnlyList<JobWrite>>? Flushed { get; set; }

    /// <summary>Queues a write (applied in posting order).</summary>
    public void Post(JobWrite write) => _channel.Writer.TryWrite(write);

    /// <inheritdoc />
    public void Record(AuditEntry entry) => Post(new JobWrite.Audited(entry));

    /// <summary>Completes once every write posted so far is committed (or failed and logged).</summary>
    public Task FlushAsync()
    {
        var marker = new FlushMarker();
        return _channel.Writer.TryWrite(marker) ? marker.Done.Task : Task.CompletedTask;
    }

    /// <summary>Writes what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        _giveUp.CancelAfter(GiveUpAfter);
        await _loop.ConfigureAwait(false);
        _giveUp.Dispose();
    }

    /// <summary>The writer's loop, on its own thread: it blocks while there is nothing to write and while the store writes.</summary>
    private void Run()
    {
        var batch = new List<JobWrite>();
        var markers = new List<FlushMarker>();
        while (_channel.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (batch.Count < MaxBatch && _channel.Reader.TryRead(out var write))
            {
                if (write is FlushMarker marker)
                {
                    markers.Add(marker);
                }
                else
                {
                    batch.Add(write);
                }
            }

            if (batch.Count > 0)
            {
                Commit(batch);
            }

            markers.ForEach(m => m.Done.TrySetResult());
            batch = new List<JobWrite>();
            markers.Clear();
        }
    }

    private void Commit(List<JobWrite> batch)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        DateTimeOffset? downSince = null;
        while (true)
        {
            try
            {
                // SQLite writes synchronously on this thread; PostgreSQL's I/O completes on the pool, but the store
                // compresses every chunk before its first await, so that work stays here too.
                _store.WriteAsync(batch, CancellationToken.None).GetAwaiter().GetResult();
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (_giveUp.IsCancellationRequested)
                {
                    // Stopping, and the store is still away: say once how much is lost (all that is left), not batch by batch.
                    var lost = batch.Count;
                    while (_channel.Reader.TryRead(out var left))
                    {
                        if (left is FlushMarker marker)
                        {
                            marker.Done.TrySetResult();
                        }
                        else
                        {
                            lost++;
                        }
                    }

                    _log.LogError("job store {Store}: the daemon is stopping and the store still refuses writes ({Error}): {Count} record(s) are lost", _store.Name, FirstLine(e), lost);
                    break;
                }

                if (downSince is null)
                {
                    downSince = DateTimeOffset.UtcNow;
                    if (_unavailable is null)
                    {
                        _log.LogError(
                            "job store {Store} is unavailable: {Error}. Running jobs go on; their records wait in memory and are written when it is back (retrying); new jobs are refused",
                            _store.Name,
                            FirstLine(e));
                    }

                    _unavailable = FirstLine(e);
                }

                // Woken early when stopping: one last attempt.
                _giveUp.Token.WaitHandle.WaitOne(delay);

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }

        if (downSince is { } since && _unavailable is not null)
        {
            _unavailable = null;
            _log.LogWarning("job store {Store} is back after {Seconds:0.0}s: the records held meanwhile are being written", _store.Name, (DateTimeOffset.UtcNow - since).TotalSeconds);
        }

        try
        {
            Flushed?.Invoke(batch);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.LogError(e, "job store: flush notification failed");
        }

        foreach (var write in batch)
        {
            if (write is JobWrite.Output output)
            {
                output.Text.Release();
            }
        }
    }

    private static string FirstLine(Exception e) => e.Message.Split('\n')[0].Trim();

    private sealed record FlushMarker : JobWrite
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
