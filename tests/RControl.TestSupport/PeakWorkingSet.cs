using System.Diagnostics;

namespace RControl.TestSupport;

/// <summary>Samples this process's working set every 25 ms from creation to disposal; reports the growth of the peak.</summary>
public sealed class PeakWorkingSet : IDisposable
{
    private readonly Process _process = Process.GetCurrentProcess();
    private readonly Timer _timer;
    private readonly long _baseline;
    private long _peak;
    private bool _disposed;

    public PeakWorkingSet()
    {
        GC.Collect();
        _process.Refresh();
        _baseline = _process.WorkingSet64;
        _peak = _baseline;
        _timer = new Timer(_ => Sample(), null, 0, 25);
    }

    /// <summary>How far the peak rose above the working set at creation, in MiB.</summary>
    public long GrowthMiB
    {
        get
        {
            Sample();
            return (Interlocked.Read(ref _peak) - _baseline) / (1024 * 1024);
        }
    }

    private void Sample()
    {
        lock (_process)
        {
            if (_disposed)
            {
                // A timer callback already queued when the sampler was disposed.
                return;
            }

            _process.Refresh();
            _peak = Math.Max(_peak, _process.WorkingSet64);
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_process)
        {
            _disposed = true;
        }

        _process.Dispose();
    }
}
