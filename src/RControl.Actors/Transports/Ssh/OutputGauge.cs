namespace RControl.Transports.Ssh;

/// <summary>
/// How many of a connection's output sinks are waiting for a slow reader. While any is, SSH.NET's receive loop is
/// paused on purpose, so unanswered keep-alives mean nothing and the probe does not declare the connection dead.
/// </summary>
internal sealed class OutputGauge
{
    private int _paused;

    public bool AnyPaused => Volatile.Read(ref _paused) > 0;

    public void Enter() => Interlocked.Increment(ref _paused);

    public void Exit() => Interlocked.Decrement(ref _paused);
}
