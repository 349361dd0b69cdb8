using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RControl.Security;

namespace RControl.Jobs;

/// <summary>
/// The one writer of the job store: jobs post their records and output here (never waiting), and a background loop
/// writes whatever has gathered in one transaction, so storing output stays off the tasks' path. Also the persisted
/// audit trail (<see cref="IAuditTrail"/>).
/// </summary>
internal sealed class JobStoreWriter : IAuditTrail, IAsyncDisposable
{
    private const int MaxBatch = 4096;

    private readonly IJobStore _store;
    private readonly ILogger _log;
    private readonly Channel<JobWrite> _channel = Channel.CreateUnbounded<JobWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public JobStoreWriter(IJobStore store, ILogger log)
    {
        _store = store;
        _log = log;
        _loop = Task.Run(RunAsync);
    }

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
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<JobWrite>();
        var markers = new List<FlushMarker>();
        while (await _channel.Reader.WaitToReadAsync().ConfigureAwait(false))
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
                await CommitAsync(batch).ConfigureAwait(false);
            }

            markers.ForEach(m => m.Done.TrySetResult());
            batch = new List<JobWrite>();
            markers.Clear();
        }
    }

    private async Task CommitAsync(List<JobWrite> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _store.WriteAsync(batch, CancellationToken.None).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (attempt < 3 && e is not OutOfMemoryException)
            {
                _log.LogWarning(e, "job store: writing {Count} record(s) failed (attempt {Attempt}); retrying", batch.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _log.LogError(e, "job store: {Count} record(s) could not be written and are lost", batch.Count);
                break;
            }
        }

        try
        {
            Flushed?.Invoke(batch);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.LogError(e, "job store: flush notification failed");
        }
    }

    private sealed record FlushMarker : JobWrite
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
