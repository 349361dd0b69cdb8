namespace RControl.Readers;

/// <summary>
/// Bounds what copies and output floods add to the working set. SSH.NET allocates a fresh array for every SSH packet
/// it sends or receives, and every line read becomes a string, so a copy or a flood of output turns over its own size
/// in short-lived garbage; the GC lets gen0 grow to a budget derived from
/// the CPU's cache size before it collects (over 100 MiB on machines that report a large L3), and every page of that
/// budget is touched. A gen0 collection after every <see cref="Interval"/> bytes moved by all copies and readers keeps the churn in
/// the same few MiB: with nothing surviving, each costs well under a millisecond.
/// </summary>
internal static class GarbagePacer
{
    /// <summary>Bytes moved between two collections.</summary>
    public const long Interval = 16L * 1024 * 1024;

    private static long _moved;

    /// <summary>Counts <paramref name="bytes"/> moved; collects gen0 each time the total crosses a multiple of <see cref="Interval"/>.</summary>
    public static void Moved(long bytes)
    {
        if (bytes <= 0)
        {
            return;
        }

        var total = Interlocked.Add(ref _moved, bytes);
        if (total / Interval != (total - bytes) / Interval)
        {
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        }
    }
}
