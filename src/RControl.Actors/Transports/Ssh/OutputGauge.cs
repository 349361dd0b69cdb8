namespace RControl.Transports.Ssh;

/// <summary>
/// What a connection's output sinks tell its keep-alive probe: how many are waiting for a slow reader (while any
/// is, SSH.NET's receive loop is paused on purpose, so unanswered keep-alives mean nothing), and when channel data
/// last arrived (data from the server proves it alive, as for OpenSSH's <c>ServerAliveInterval</c>: an answer
/// queued behind megabytes of output is late, not missing).
/// </summary>
internal sealed class OutputGauge
{
    private int _paused;
    private long _lastData;

    public bool AnyPaused => Volatile.Read(ref _paused) > 0;

    /// <summary>When channel data last arrived (<see cref="Environment.TickCount64"/>).</summary>
    public long LastData => Volatile.Read(ref _lastData);

    public void Enter() => Interlocked.Increment(ref _paused);

    public void Exit() => Interlocked.Decrement(ref _paused);

    /// <summary>Channel data arrived.</summary>
    public void Received() => Volatile.Write(ref _lastData, Environment.TickCount64);
}
