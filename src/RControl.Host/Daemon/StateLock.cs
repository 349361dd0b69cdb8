namespace RControl.Host.Daemon;

/// <summary>
/// An exclusive lock on a state directory while it is created or read (<c>.lock</c>, held open without sharing):
/// daemons of one user started at once — the nodes of a cluster on one machine — share one CA instead of each
/// creating its own.
/// </summary>
internal sealed class StateLock : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly FileStream _file;

    private StateLock(FileStream file) => _file = file;

    /// <summary>Waits (up to 30 s) for the lock of <paramref name="directory"/>.</summary>
    public static StateLock Acquire(string directory)
    {
        var path = Path.Combine(directory, ".lock");
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                return new StateLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50); // another daemon holds it for the few milliseconds of creating the CA
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
