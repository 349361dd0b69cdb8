using System.Globalization;

namespace RControl.Bench.Workloads;

/// <summary>
/// Verifies every line of <c>seq 1 N</c> in order, without allocating: both sides of a line workload do the same
/// check, so neither is measured doing less work.
/// </summary>
public sealed class SeqCheck
{
    private long _expected = 1;

    /// <summary>The number of lines seen.</summary>
    public long Count { get; private set; }

    /// <summary>The first line that was not the next number, or null.</summary>
    public string? FirstMismatch { get; private set; }

    public void Next(string line)
    {
        Count++;
        if (FirstMismatch is null && (!long.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value != _expected))
        {
            FirstMismatch = $"line {Count} was '{line}', expected {_expected}";
        }

        _expected++;
    }
}
