namespace RControl.Transports.Ssh;

/// <summary>
/// Bounds the SSH connects in progress at once (TCP, key exchange, login) in one engine
/// (<c>rcontrol.ssh.max-connects-in-flight</c>). SSH.NET's connect waits synchronously, on a thread of its own
/// (<see cref="Blocking"/>), so a fan-out to 1,000 hosts would otherwise hold a thread per pending connect while the
/// key exchanges compete for the same cores. Waiting for a slot holds no thread. A connect's own
/// <c>connect-timeout</c> starts once it has its slot: the wait is this process's queue, not the host's silence; it
/// counts against the caller's deadline (the connect budget, or the command's timeout).
/// </summary>
internal sealed class SshConnectSlots
{
    private readonly SemaphoreSlim _slots;
    private int _inProgress;
    private int _peak;
    private int _waiting;

    public SshConnectSlots(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        Limit = limit;
        _slots = new SemaphoreSlim(limit, limit);
    }

    /// <summary>For connects made without an engine (an SFTP connection of a copy job, tests): the reference default.</summary>
    public static SshConnectSlots Shared { get; } = new(Configuration.RControlSettings.FromConfig(Configuration.RControlConfig.ReferenceConfig).MaxConnectsInFlight);

    /// <summary>No bound: for the kills' control connections, which must not queue behind a fan-out's connects.</summary>
    public static SshConnectSlots Unbounded { get; } = new(int.MaxValue);

    /// <summary>Connects allowed at once.</summary>
    public int Limit { get; }

    /// <summary>SSH.NET connects running now (counted inside the connect itself, for tests and diagnostics).</summary>
    public int InProgress => Volatile.Read(ref _inProgress);

    /// <summary>The most SSH.NET connects seen running at once.</summary>
    public int PeakInProgress => Volatile.Read(ref _peak);

    /// <summary>Connects waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Waits for a slot (no thread held while waiting); dispose the result to free it.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        return new Slot(this);
    }

    /// <summary>Marks one SSH.NET connect as running until the result is disposed.</summary>
    public IDisposable Running()
    {
        var now = Interlocked.Increment(ref _inProgress);
        for (var peak = Volatile.Read(ref _peak); now > peak; peak = Volatile.Read(ref _peak))
        {
            if (Interlocked.CompareExchange(ref _peak, now, peak) == peak)
            {
                break;
            }
        }

        return new Counted(this);
    }

    private sealed class Slot(SshConnectSlots owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner._slots.Release();
            }
        }
    }

    private sealed class Counted(SshConnectSlots owner) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                Interlocked.Decrement(ref owner._inProgress);
            }
        }
    }
}
