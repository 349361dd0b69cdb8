using System.Runtime.ExceptionServices;
using RControl.Diagnostics;
using RControl.Protocol;

namespace RControl.Transports.Ssh;

/// <summary>
/// The connections of one SSH session: hands out channel slots (at most <c>maxChannels</c> per connection),
/// opens another connection on demand (only when every open one is full) up to <c>maxConnections</c>, drops dead
/// connections, and reconnects patiently: a refused, reset or timed-out connect is retried with backoff (250 ms
/// doubling up to 1 s) until the caller's deadline, one attempt at a time for every waiting caller (no retry storm).
/// A failure that retrying cannot cure (authentication, host key, unknown host, bad configuration) is reported at
/// once. Waiting for a slot or a connection never blocks a thread.
/// </summary>
internal sealed class SshConnectionPool : IAsyncDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly SshSessionSpec _spec;
    private readonly int _maxChannels;
    private readonly int _maxConnections;
    private readonly object _gate = new();
    private readonly List<SshConnection> _connections = new();
    private readonly CancellationTokenSource _disposed = new();
    private TaskCompletionSource _changed = NewSignal();
    private Task<SshConnection>? _connecting;
    private ExceptionDispatchInfo? _lastFailure;
    private DateTime _retryAt;
    private DateTime _lastFailureAt;
    private int _failures;
    private int _lastId;

    private readonly SshConnectSlots _slots;
    private bool _waitingForSlot;

    // The callers waiting for the connect under way, and what withdraws it from the slot queue once none is left.
    private int _connectWaiters;
    private CancellationTokenSource? _withdraw;

    public SshConnectionPool(SshSessionSpec spec, int maxChannels, int maxConnections, SshConnectSlots? slots = null)
    {
        _spec = spec;
        _slots = slots ?? SshConnectSlots.Shared;
        // Checked once, where the spec was built (SshSessionSpec's init accessors).
        _maxChannels = maxChannels;
        _maxConnections = maxConnections;
        SshConnectionStates.Register(this);
    }

    /// <summary>Connections opened so far (for tests and diagnostics).</summary>
    public int ConnectionsOpened => Volatile.Read(ref _lastId);

    /// <summary>Connections by state now (for the <c>rcontrol.ssh.connections</c> gauge).</summary>
    public (int Connecting, int Idle, int Busy) Counts()
    {
        lock (_gate)
        {
            var busy = _connections.Count(c => c.IsAlive && c.ActiveChannels > 0);
            var idle = _connections.Count(c => c.IsAlive && c.ActiveChannels == 0);
            return (_connecting is null ? 0 : 1, idle, busy);
        }
    }

    /// <summary>
    /// Reserves one channel on a live connection, connecting when needed and retrying transient connect failures
    /// until <paramref name="giveUpAt"/> (UTC). Dispose the lease to free the slot.
    /// </summary>
    /// <exception cref="SessionException">The last connect failure (or "no answer") once the deadline is reached,
    /// or at once for a failure retrying cannot cure.</exception>
    /// <param name="budget">What set the deadline, for the message (e.g. "the command's 2s timeout").</param>
    public async Task<Lease> AcquireAsync(DateTime giveUpAt, string budget, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        var waitStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        var attempted = false;
        while (true)
        {
            Task wait;
            var connecting = false;
            Task? joined = null;
            var queued = false;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
                DropDead();
                var free = _connections.FirstOrDefault(c => c.ActiveChannels < Math.Min(_maxChannels, c.ChannelLimit));
                if (free is not null)
                {
                    free.ActiveChannels++;
                    EngineInstruments.Queued("channel", waitStarted);
                    return new Lease(this, free);
                }

                if (_connecting is not null)
                {
                    wait = joined = _connecting;
                    _connectWaiters++;
                    connecting = true;
                }
                else if (_connections.Count < _maxConnections)
                {
                    var now = DateTime.UtcNow;
                    if (_lastFailure is { } failure && now < _retryAt && (!IsTransient(failure.SourceException) || _retryAt < giveUpAt || attempted))
                    {
                        if (!IsTransient(failure.SourceException) || _retryAt >= giveUpAt)
                        {
                            failure.Throw();
                        }

                        // Backing off after a failed connect: wait for the next attempt instead of failing.
                        wait = Task.Delay(_retryAt - now, cancellationToken);
                    }
                    else
                    {
                        _withdraw = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
                        _waitingForSlot = true;
                        _connectWaiters = 1;
                        _connecting = ConnectAsync(_withdraw);
                        wait = joined = _connecting;
                        connecting = true;
                    }
                }
                else
                {
                    wait = _changed.Task;
                }
            }

            try
            {
                if (connecting)
                {
                    // A caller never fails on a failure older than its arrival: it gets an attempt of its own first,
                    // even inside the backoff when its budget cannot wait that long (the host may be back).
                    attempted = true;
                    var remaining = giveUpAt - DateTime.UtcNow;
                    try
                    {
                        await wait.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        queued = Leave(joined!);
                    }
                }
                else
                {
                    await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (TimeoutException) when (!cancellationToken.IsCancellationRequested)
            {
                // The caller's deadline passed while an attempt was still under way: report what the earlier attempts
                // met, if any failed since this caller came, else that nobody answered.
                lock (_gate)
                {
                    if (_lastFailure is { } failure && _lastFailureAt >= started)
                    {
                        failure.Throw();
                    }
                }

                var port = _spec.Port ?? 22;
                var why = queued
                    ? $": still waiting for a connect slot (rcontrol.ssh.max-connects-in-flight = {_slots.Limit} connects at once in this engine, all busy)"
                    : string.Empty;
                throw new SshConnectException(_spec.Host, port, SshConnectFailure.TimedOut,
                    $"cannot connect to {_spec.Host}:{port}: not connected within {(DateTime.UtcNow - started).TotalSeconds:0.#}s ({budget}){why}");
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested && connecting)
            {
                // The connect failed: retry after the backoff if it may cure it and the deadline allows, else report it.
                lock (_gate)
                {
                    if (_lastFailure is { } failure && (!IsTransient(failure.SourceException) || _retryAt >= giveUpAt))
                    {
                        failure.Throw();
                    }
                }
            }
        }
    }

    /// <summary>Failures a later attempt may not repeat: nothing listening yet, a reset, no answer in time.</summary>
    private static bool IsTransient(Exception e) => e is SshConnectException { Failure: not SshConnectFailure.UnknownHost };

    /// <summary>
    /// A caller stops waiting for <paramref name="attempt"/> (connected, failed, gave up or cancelled). When the last
    /// one gives up while the connect still waits for a slot, the connect leaves the queue: it would take a slot
    /// (and a host's time) for nobody. Once it has its slot it runs on, and its connection serves the next command.
    /// </summary>
    /// <returns>Whether the connect was still waiting for a slot.</returns>
    private bool Leave(Task attempt)
    {
        CancellationTokenSource? withdraw = null;
        bool queued;
        lock (_gate)
        {
            if (!ReferenceEquals(attempt, _connecting))
            {
                return false;
            }

            queued = _waitingForSlot;
            if (--_connectWaiters == 0 && queued && !attempt.IsCompleted)
            {
                withdraw = _withdraw;
            }
        }

        try
        {
            withdraw?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connect ended meanwhile.
        }

        return queued;
    }

    private async Task<SshConnection> ConnectAsync(CancellationTokenSource withdraw)
    {
        await Task.Yield();
        try
        {
            var client = await SshConnector.ConnectAsync(_spec, _slots, SlotTaken, withdraw.Token).ConfigureAwait(false);
            var connection = new SshConnection(client, Interlocked.Increment(ref _lastId), _spec.KeepAlive);
            lock (_gate)
            {
                _connections.Add(connection);
                _failures = 0;
                _lastFailure = null;
                _connecting = null;
                Signal();
            }

            EngineInstruments.SshConnected(opened: true);
            return connection;
        }
        catch (Exception) when (withdraw.IsCancellationRequested && !_disposed.IsCancellationRequested)
        {
            // Withdrawn from the slot queue, every caller gone: not a failure of the host (no backoff, nothing to report).
            lock (_gate)
            {
                _connecting = null;
                _waitingForSlot = false;
                Signal();
            }

            throw;
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _failures++;
                var backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(_failures - 1, 16)));
                _lastFailureAt = DateTime.UtcNow;
                _retryAt = _lastFailureAt + backoff;
                _lastFailure = ExceptionDispatchInfo.Capture(e);
                _connecting = null;
                _waitingForSlot = false;
                Signal();
            }

            EngineInstruments.SshConnected(opened: false);
            throw;
        }
        finally
        {
            withdraw.Dispose();
        }
    }

    private void SlotTaken()
    {
        lock (_gate)
        {
            _waitingForSlot = false;
        }
    }

    /// <summary>
    /// How long after RControl has closed a channel the server may still count it (it frees a channel a moment later, at
    /// its next turn, later still on a busy host).
    /// </summary>
    private static readonly TimeSpan ClosingGrace = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The server refused the channel of <paramref name="lease"/> (its <c>MaxSessions</c> is lower than the session's
    /// <c>max-channels</c>). With fewer other channels of the connection open than the server has had open at once before,
    /// a channel of ours closed shortly before this one was asked for, or none open (and no guardian) on a connection that
    /// has had one open, that channel may still be closing at the server:
    /// the command tries again shortly, the limit untouched, unless <paramref name="closingLongEnough"/> (then the limit
    /// never goes below what the server has had open at once). With other channels
    /// open or opening, the connection is taken to allow only those from now on: the command waits for one of them, or for
    /// another connection. With none but the guardian's, the guardian must give its channel up. With none at all, believed,
    /// the refusal is final. Call before disposing the lease.
    /// </summary>
    /// <param name="closingLongEnough">The command has tried again for long enough: believe the refusal.</param>
    public ChannelRefusal ChannelRefused(Lease lease, bool closingLongEnough = false)
    {
        lock (_gate)
        {
            var connection = lease.Connection;
            var others = connection.ActiveChannels - 1;
            var closing = connection.LastClosed != 0 &&
                System.Diagnostics.Stopwatch.GetElapsedTime(connection.LastClosed, lease.Acquired) < ClosingGrace;
            // A channel of ours may still be closing at the server: fewer open than it has had open at once, one closed just
            // now, or none open on a connection that has opened one (its first command's, before any guardian).
            var mayBeClosing = others < connection.MostOpenChannels || closing ||
                (others == 0 && !connection.HadGuardian && connection.LastClosed != 0);
            if (mayBeClosing && !closingLongEnough)
            {
                return ChannelRefusal.TryAgainSoon;
            }

            if (others > 0)
            {
                connection.ChannelLimit = Math.Min(connection.ChannelLimit, Math.Max(others, connection.MostOpenChannels));
                return ChannelRefusal.WaitForAChannel;
            }

            if (!connection.HadGuardian)
            {
                return ChannelRefusal.Final;
            }

            // From now on no command of this connection registers with the guardian.
            connection.StopUsingGuardian();
            return ChannelRefusal.GiveUpTheGuardian;
        }
    }

    private void Opened(SshConnection connection)
    {
        lock (_gate)
        {
            connection.OpenChannels++;
            // What the server allows beside the guardian: a first command's channel opened before the guardian's.
            var besideGuardian = connection.OpenChannels - (connection.GuardianYetToCome ? 1 : 0);
            connection.MostOpenChannels = Math.Max(connection.MostOpenChannels, besideGuardian);
        }
    }

    private void Release(SshConnection connection, bool opened)
    {
        lock (_gate)
        {
            connection.ActiveChannels--;
            if (opened)
            {
                connection.OpenChannels--;
                connection.LastClosed = System.Diagnostics.Stopwatch.GetTimestamp();
            }

            Signal();
        }
    }

    private void DropDead()
    {
        for (var i = _connections.Count - 1; i >= 0; i--)
        {
            if (!_connections[i].IsAlive)
            {
                var dead = _connections[i];
                _connections.RemoveAt(i);
                _ = Blocking.Run(dead.Dispose);
            }
        }
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        SshConnection[] connections;
        lock (_gate)
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }

            _disposed.Cancel();
            SshConnectionStates.Unregister(this);
            connections = _connections.ToArray();
            _connections.Clear();
            Signal();
        }

        await Task.WhenAll(connections.Select(c => Blocking.Run(c.Dispose))).ConfigureAwait(false);
    }

    /// <summary>What a refused channel means for its command (see <see cref="ChannelRefused"/>).</summary>
    public enum ChannelRefusal
    {
        /// <summary>Try again once a channel is free (the connection's limit is lowered to what the server allowed).</summary>
        WaitForAChannel,

        /// <summary>Only the guardian holds a channel (or held it until just now): end it and try again on its channel.</summary>
        GiveUpTheGuardian,

        /// <summary>The server refuses even a connection's first channel: report it.</summary>
        Final,

        /// <summary>A channel of the connection is still closing at the server: try again in a moment.</summary>
        TryAgainSoon,
    }

    /// <summary>One reserved channel slot on a connection.</summary>
    public sealed class Lease(SshConnectionPool pool, SshConnection connection) : IDisposable
    {
        private int _released;
        private int _opened;

        public SshConnection Connection => connection;

        /// <summary>When the slot was reserved (a Stopwatch timestamp).</summary>
        public long Acquired { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

        /// <summary>The server has opened the lease's channel.</summary>
        public void Opened()
        {
            if (Interlocked.Exchange(ref _opened, 1) == 0)
            {
                pool.Opened(connection);
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                pool.Release(connection, Volatile.Read(ref _opened) == 1);
            }
        }
    }
}
